#!/usr/bin/env bash
# The quick start's first command: set up, then build the sample city (San Francisco tiles in data/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p out
node bin/cityforge.js build data/sf-mvt --terrain data/sf-terrain-3857.tif -o out/sf.glb "$@"
echo "demo: wrote out/sf.glb — open it in any glTF viewer (e.g. drag it onto https://gltf-viewer.donmccurdy.com) ; © OpenStreetMap contributors" >&2
