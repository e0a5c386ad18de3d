// The end-to-end baseline (issue 16): what a developer would write with three.js alone to turn a
// GeoJSONSeq of footprints into a GLB — read the lines, project lon/lat to local metres
// (equirectangular about the first point), ExtrudeGeometry per polygon, merge, GLTFExporter.
// `node bench/baseline-e2e.mjs <in.geojsons> <out.glb>`; bench/e2e.ts times it against `cityforge build`.
import fs from 'node:fs';
import * as THREE from 'three';
import { mergeGeometries } from 'three/examples/jsm/utils/BufferGeometryUtils.js';
import { GLTFExporter } from 'three/examples/jsm/exporters/GLTFExporter.js';

globalThis.FileReader ??= class {
  readAsArrayBuffer(blob) {
    blob.arrayBuffer().then((b) => {
      this.result = b;
      this.onloadend?.();
    });
  }
};
const [input, output] = process.argv.slice(2);
const geoms = [];
let lon0, lat0, k;
for (const line of fs.readFileSync(input, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const f = JSON.parse(line.replace(/^\x1e/, '')); // (RFC 8142 record separators)
  const g = f.geometry;
  if (!g) continue;
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
  const h = Number(f.properties?.height) || 10;
  for (const rings of polys) {
    if (lon0 === undefined) {
      [lon0, lat0] = rings[0][0];
      k = Math.cos((lat0 * Math.PI) / 180);
    }
    const toXY = ([lon, lat]) => new THREE.Vector2(((lon - lon0) * Math.PI * 6378137 * k) / 180, ((lat - lat0) * Math.PI * 6378137) / 180);
    const shape = new THREE.Shape(rings[0].map(toXY));
    for (const hole of rings.slice(1)) shape.holes.push(new THREE.Path(hole.map(toXY)));
    const geo = new THREE.ExtrudeGeometry(shape, { depth: h, bevelEnabled: false });
    geo.rotateX(-Math.PI / 2);
    geoms.push(geo);
  }
}
const mesh = new THREE.Mesh(mergeGeometries(geoms), new THREE.MeshStandardMaterial());
const glb = await new Promise((resolve, reject) => new GLTFExporter().parse(mesh, resolve, reject, { binary: true }));
fs.writeFileSync(output, Buffer.from(glb));
