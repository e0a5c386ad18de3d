import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { freshDir } from '../helpers/fixtures.js';
import { expectValidGlb, readGlb } from '../helpers/glb.js';

const square = (lon: number, lat: number, d: number) => [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]];

describe('quantization never coarsens a footprint', () => {
  it('footprints-snapped-to-13-m-over-a-large-extent: two cities 900 km apart in one GLB keep a step of at most 2 cm', async () => {
    const dir = freshDir('quantization');
    const file = path.join(dir, 'two-cities.geojson');
    const features = [
      { type: 'Feature', properties: { id: 'delft', height: 10 }, geometry: { type: 'Polygon', coordinates: square(4.36, 52.0, 0.00007) } },
      { type: 'Feature', properties: { id: 'vienna', height: 10 }, geometry: { type: 'Polygon', coordinates: square(16.37, 48.21, 0.00007) } },
    ];
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features }));
    const out = path.join(dir, 'two.glb');
    const r = cli(['build', file, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const bytes = new Uint8Array(fs.readFileSync(out));
    await expectValidGlb(bytes);
    const rb = await readGlb(bytes);
    expect(rb.json.asset.extras.cityforge.quantizationStep).toBeLessThanOrEqual(0.02);
    // each building is its own ~5 × 8 m box, not a 13 m grid cell
    for (const node of rb.json.nodes.filter((n: { mesh?: number }) => n.mesh !== undefined)) expect(node.scale?.[0] ?? 0).toBeLessThanOrEqual(0.02);
  });

  it('default-height-1e9-wrecked-the-geometry: an absurd --default-height is a usage error', () => {
    expect(cli(['build', 'x.geojson', '-o', 'x.glb', '--default-height', '1e9']).code).toBe(2);
    expect(cli(['build', 'x.geojson', '-o', 'x.glb', '--level-height', '1e5']).code).toBe(2);
  });
});
