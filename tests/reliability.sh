#!/usr/bin/env bash
# Runs the reliability suites (tests/Pulse.Tests/Reliability, issue 8) and refreshes the figures
# table of docs/reliability.md from what they recorded in artifacts/reliability/*.json.
#   tests/reliability.sh           short form (what CI runs inside ./test.sh)
#   tests/reliability.sh --long    long form: ≥20 kills, ≥100,000 fuzz cases, a 30-minute soak
#   tests/reliability.sh --render  only re-render the table from the last recorded figures
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mode=short run=1
for arg in "$@"; do
  case "$arg" in
    --long) mode=long ;;
    --render) run=0 ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "reliability.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done
if [ "$run" -eq 1 ]; then
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  dotnet build Pulse.slnx -c Release -nologo -v quiet -clp:ErrorsOnly
  dotnet build src/Pulse/Pulse.csproj -c Release -o artifacts/pulse -nologo -v quiet -clp:ErrorsOnly
  rm -rf artifacts/reliability
  PULSE_RELIABILITY="$mode" dotnet test tests/Pulse.Tests -c Release --no-build -nologo \
    --filter "Category=Reliability" --logger "console;verbosity=normal"
fi
node tests/reliability-report.mjs artifacts/reliability docs/reliability.md
