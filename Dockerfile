# Pulse in a container (docs/operations.md, "Container"):
#   docker build -t pulse .
#   docker run -p 8080:8080 -v pulse-data:/data --stop-timeout 15 pulse [--write-key KEY ...]
# Arguments after the image name are added to `pulse serve`; settings also bind from Pulse__...
# environment variables. DockerfileTests checks this file against the code.

# Node for the dashboard build, copied into the SDK stage (the dashboard needs Node 20+).
FROM node:20-bookworm-slim AS node

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s /usr/local/lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && node --version && npm --version
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
WORKDIR /src
# Restores first, from the project and lock files only, so a source change does not repeat them.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/Pulse.Engine/Pulse.Engine.csproj src/Pulse.Engine/
COPY src/Pulse/Pulse.csproj src/Pulse/
RUN dotnet restore src/Pulse/Pulse.csproj
COPY dashboard/package.json dashboard/package-lock.json dashboard/
RUN cd dashboard && npm ci --no-audit --no-fund --loglevel=error
COPY src/ src/
COPY dashboard/ dashboard/
RUN dotnet publish src/Pulse/Pulse.csproj -c Release -o /app --no-restore
# The server's web root is wwwroot beside its binary (PulseServer); vite's own outDir points into artifacts/.
RUN cd dashboard && npm run build -- --outDir /app/wwwroot --emptyOutDir --logLevel warn

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# 1654 is the images' own non-root 'app' user (APP_UID); numeric, so runAsNonRoot can verify it.
RUN mkdir -p /data && chown 1654:1654 /data
VOLUME /data
USER 1654
# --urls below decides the address; the image's default port variable would only draw a warning.
ENV ASPNETCORE_HTTP_PORTS=
EXPOSE 8080
# The runtime image has no curl: bash's /dev/tcp sends the request and reads the status line.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/live HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# SIGTERM (docker stop) is the clean shutdown: stop accepting, drain, checkpoint, within Pulse:ShutdownTimeout (10 s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "pulse.dll", "serve", "--urls", "http://0.0.0.0:8080", "--data", "/data"]
