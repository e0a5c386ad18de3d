#!/usr/bin/env bash
# Install what cityforge needs on a fresh Debian machine with Node 20, then install and build the project.
# Idempotent and quick when everything is already there. Run as root (or with sudo available).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "setup: $*" >&2; }

# System packages: GDAL headers/libraries for gdal-async's shared build, GDAL tools for fixtures,
# Chromium for the viewer's browser tests, GNU parallel for the sharding recipe, openssh-server for its
# remote-shell test (a second "host" in a network namespace).
PKGS=(libgdal-dev gdal-bin chromium parallel openssh-server)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { log "need root (or sudo) to install: ${missing[*]}"; exit 1; }
    SUDO="sudo"
  fi
  log "installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node packages. .npmrc makes gdal-async build from source against the system GDAL (about 75 s).
# node-gyp needs Node's headers: point it (nodedir) at the ones installed with this Node (Debian's or
# NodeSource's /usr/include/node, nvm's <prefix>/include/node), so it never tries to download them.
if [ -z "${npm_config_nodedir:-}" ]; then
  node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  if [ -f "$node_prefix/include/node/node.h" ]; then
    export npm_config_nodedir="$node_prefix"
  else
    log "warning: no Node headers in $node_prefix/include/node; node-gyp will try to download them"
  fi
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ ! -d node_modules/gdal-async/lib/binding ]; then
  log "npm ci (builds gdal-async against the system GDAL)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Compile and bundle the CLI (dist/run) and bundle the viewer (dist/viewer) when sources changed.
if [ ! -f dist/run/main.js ] || [ ! -f dist/viewer/index.html ] || [ -n "$(find src scripts/bundle-cli.mjs tsconfig.json package.json -newer dist/run/main.js -print -quit 2>/dev/null)" ]; then
  log "compiling TypeScript and bundling the viewer"
  npm run build --silent
  touch dist/run/main.js
fi
log "ready"
