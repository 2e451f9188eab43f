#!/usr/bin/env bash
# Installs what the tests need, then runs every test. Extra arguments go to `dotnet test`
# (e.g. ./test.sh --filter Category!=Crash).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Never let an npm package fetch a browser: the browser tests drive Debian's /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# Debian packages the suites use, installed only when missing: chromium (the dashboard's browser
# tests), prometheus (promtool checks the /metrics exposition and the alert rules), postgresql (the
# PostgreSQL store's tests start a server of their own from it).
# PULSE_TEST_APT_PACKAGES adds more.
apt_packages="chromium prometheus postgresql ${PULSE_TEST_APT_PACKAGES:-}"
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
# The client's NuGet package, which PackageTests opens: proves `dotnet pack` works and what it holds.
rm -rf artifacts/packages
dotnet pack src/Pulse.Client/Pulse.Client.csproj -c Release --no-build -o artifacts/packages -nologo -v quiet -clp:ErrorsOnly
# The dashboard: installed from the lock file and built into the server's wwwroot.
echo "test.sh: building the dashboard" >&2
(cd dashboard && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build -- --logLevel warn)
# Segment's Node SDK, which SegmentNodeSdkTests drives against a live server.
(cd tests/segment-node && npm ci --no-audit --no-fund --loglevel=error)

log="$(mktemp)"
results="$(mktemp -d)"
set +e
dotnet test Pulse.slnx -c Release --no-build -nologo --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# Unit tests of the dashboard's data shaping and formatting, then the browser tests against a real server.
(cd dashboard && npx vitest run --config vitest.config.ts --reporter=default --reporter=json --outputFile="$results/unit.json")
unit_status=$?
(cd dashboard && npx vitest run --config vitest.browser.config.ts --reporter=default --reporter=json --outputFile="$results/browser.json")
browser_status=$?
set -e
# One plain closing line that any reader understands ("Total tests / Passed / Failed / Skipped" block).
count() { grep -E "^[[:space:]]+$1: +[0-9]+" "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0; }
passed=$(count Passed); failed=$(count Failed); skipped=$(count Skipped)
summary=$(grep -E "^Total tests: +[0-9]+" "$log" | tail -n 1 || true)
# vitest's JSON report: add its counts in; a run that wrote no report counts as one failure.
for suite in unit browser; do
  read -r p f s < <(node -e '
    try { const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
          console.log(r.numPassedTests, r.numFailedTests + (r.success || r.numFailedTests ? 0 : 1), r.numPendingTests + r.numTodoTests); }
    catch { console.log(0, 1, 0); }' "$results/$suite.json")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
done
rm -rf "$log" "$results"
if [ -n "$summary" ]; then
  echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
fi
if [ "$status" -ne 0 ]; then exit "$status"; fi
if [ "$unit_status" -ne 0 ] || [ "$browser_status" -ne 0 ] || [ "$failed" -gt 0 ]; then exit 1; fi
exit 0
