#!/usr/bin/env bash
# Brings up everything on this machine: installs what is missing, builds, starts Janus on a private
# test host (a network namespace, so media stays on this machine), the signaling server on
# localhost, and the desktop app where the Electron binary exists. Ctrl-C stops it all.
# With JANUS_WS_URL, JANUS_API_SECRET and JANUS_ADMIN_KEY set, it uses that Janus instead.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
echo "== build" >&2 && npm run --silent build >&2

if [ -n "${JANUS_WS_URL:-}" ]; then
  exec node --import tsx scripts/local-stack.ts
fi
status=0
node --import tsx scripts/testbed.ts local -- node --import tsx scripts/local-stack.ts || status=$?
if [ "$status" -eq 3 ]; then
  echo "Janus needs a private network namespace, which needs root here (see the line above)." >&2
  echo "Run this as root, or start Janus yourself and set JANUS_WS_URL, JANUS_API_SECRET and JANUS_ADMIN_KEY." >&2
fi
exit "$status"
