#!/usr/bin/env bash
# The quick start's first command: set up, then build the sample city (San Francisco tiles in data/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p out
# the city on real elevation tiles (Terrarium), the ground drawn from the same vector tiles (land use, water, roads)
node bin/cityforge.js build data/sf-mvt --terrain data/sf-terrarium-z12 --ground-map \
  --attribution "© OpenStreetMap contributors; Terrain Tiles: Mapzen, USGS" -o out/sf.glb "$@"
echo "demo: wrote out/sf.glb. To look at it: node bin/cityforge.js view out/sf.glb  (then open the printed URL;" >&2
echo "demo: over ssh, forward the port: ssh -L 8080:localhost:8080 <host>). © OpenStreetMap contributors; Terrain Tiles: Mapzen, USGS" >&2
