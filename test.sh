#!/usr/bin/env bash
# Installs what the tests need, then runs every test. Extra arguments go to `dotnet test`
# (e.g. ./test.sh --filter Category!=Crash).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Debian packages the suites use, installed only when missing: prometheus (promtool checks the
# /metrics exposition and the alert rules). PULSE_TEST_APT_PACKAGES adds more.
apt_packages="prometheus ${PULSE_TEST_APT_PACKAGES:-}"
need=()
for pkg in $apt_packages; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "test.sh: installing ${need[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

echo "test.sh: building" >&2
dotnet build Pulse.slnx -c Release -nologo -v quiet -clp:ErrorsOnly
# The server the end-to-end tests start is the same binary ./pulse runs.
dotnet build src/Pulse/Pulse.csproj -c Release -o artifacts/pulse -nologo -v quiet -clp:ErrorsOnly
touch artifacts/pulse/pulse.dll

log="$(mktemp)"
set +e
dotnet test Pulse.slnx -c Release --no-build -nologo --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One plain closing line that any reader understands ("Total tests / Passed / Failed / Skipped" block).
count() { grep -E "^[[:space:]]+$1: +[0-9]+" "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0; }
passed=$(count Passed); failed=$(count Failed); skipped=$(count Skipped)
summary=$(grep -E "^Total tests: +[0-9]+" "$log" | tail -n 1 || true)
rm -f "$log"
if [ -n "$summary" ]; then
  echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
fi
exit "$status"
