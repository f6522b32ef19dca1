#!/usr/bin/env bash
# Installs what the project needs and is missing: Debian packages (Janus and its tools, Chromium,
# ffmpeg, pocketsphinx, espeak-ng, sox, iproute2) with apt-get, and npm packages with `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(janus janus-tools chromium ffmpeg pocketsphinx pocketsphinx-en-us espeak-ng sox iproute2)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages with npm ci (this takes a few minutes)…" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
