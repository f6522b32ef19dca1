#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, checks the format, lints, typechecks, builds, then
# runs the unit and end-to-end tests in one Vitest run. The end-to-end tests run against a private
# Janus on a test host in network namespaces this script creates and removes (scripts/testbed.ts);
# where namespaces cannot be made (not root), they are reported as skipped with the reason.
# The last line printed is the test runner's summary.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
echo "== format" >&2 && npm run --silent format:check
echo "== lint" >&2 && npm run --silent lint
echo "== typecheck" >&2 && npm run --silent typecheck
echo "== build" >&2 && npm run --silent build >&2

status=0
node --import tsx scripts/testbed.ts run -- node_modules/.bin/vitest run "$@" || status=$?
if [ "$status" -eq 3 ]; then
  # The testbed could not be made here (it said why): end-to-end tests skip themselves.
  node_modules/.bin/vitest run "$@"
  exit $?
fi
exit "$status"
