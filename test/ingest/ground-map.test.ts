import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { CLI, cli } from '../helpers/cli.js';
import { DATA, freshDir } from '../helpers/fixtures.js';
import { expectValidGlb, readGlb } from '../helpers/glb.js';

/** Shares of a PNG's pixels in each of these colours (#rrggbb, exactly: the map is paletted and kept lossless). */
function colourShares(png: Uint8Array, colours: Record<string, string>): Record<string, number> {
  const img = PNG.sync.read(Buffer.from(png));
  const want = Object.entries(colours).map(([k, h]) => [k, parseInt(h.slice(1), 16)] as const);
  const n: Record<string, number> = Object.fromEntries(want.map(([k]) => [k, 0]));
  for (let i = 0; i < img.data.length; i += 4) {
    const rgb = (img.data[i] << 16) | (img.data[i + 1] << 8) | img.data[i + 2];
    for (const [k, v] of want) if (rgb === v) n[k]++;
  }
  const total = img.width * img.height;
  return Object.fromEntries(Object.entries(n).map(([k, v]) => [k, v / total]));
}

const COLOURS = { land: '#f2efe9', park: '#c8facc', water: '#aad3df', street: '#ffffff', secondary: '#f7fabf', primary: '#fcd6a4', wood: '#add19e' };

describe('--ground-map: the ground drawn from the vector tiles\' own land use, water and roads', () => {
  const dir = freshDir('ground-map');

  it('build data/sf-mvt --ground-map: validator-clean, the ground a lossless map with SF\'s parks, water, streets and main roads, credited to OpenStreetMap', async () => {
    const out = path.join(dir, 'sf.glb');
    const r = cli(['build', path.join(DATA, 'sf-mvt'), '--ground-map', '--texture-size', '2048', '-o', out, '--json', '-v']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/ground map: \d+ land use, water and road features from 9 tiles/);
    const bytes = new Uint8Array(fs.readFileSync(out));
    await expectValidGlb(bytes);
    const rb = await readGlb(bytes, { accessors: false });
    const node = rb.json.nodes.find((n: { name?: string }) => n.name === 'terrain');
    const prim = rb.json.meshes[node.mesh].primitives[0];
    const tex = rb.json.textures[rb.json.materials[prim.material].pbrMetallicRoughness.baseColorTexture.index];
    expect(rb.json.images[tex.source].mimeType).toBe('image/png');
    const s = colourShares(rb.images[tex.source], COLOURS);
    // Golden Gate Park, Buena Vista and Corona Heights; Stow Lake; the street grid; Market St and friends
    expect(s.park).toBeGreaterThan(0.03);
    expect(s.water).toBeGreaterThan(0.0005);
    expect(s.street).toBeGreaterThan(0.05);
    expect(s.secondary + s.primary).toBeGreaterThan(0.005);
    expect(s.land).toBeGreaterThan(0.1);
    expect(rb.json.asset.copyright).toMatch(/OpenStreetMap/);
    // the temporary map raster is gone
    expect(fs.readdirSync('/tmp').filter((f) => /^cityforge-\d+-\d+-imagery-z0\.tif/.test(f) && fs.statSync(path.join('/tmp', f)).mtimeMs > Date.now() - 60_000)).toEqual([]);
  });

  it('tiles --ground-map: every leaf tile carries its square of the map; ground-map-said-imagery: the log names the ground map', async () => {
    const out = path.join(dir, 'tiles');
    const r = cli(['tiles', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--ground-map', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/ground textures from the ground map: \d+ tiles/);
    expect(r.stderr).not.toMatch(/imagery:/);
    const glbs = fs.readdirSync(path.join(out, 'tiles'), { recursive: true }).map(String).filter((f) => f.endsWith('.glb'));
    expect(glbs.length).toBeGreaterThan(0);
    let textured = 0;
    for (const f of glbs) {
      const bytes = new Uint8Array(fs.readFileSync(path.join(out, 'tiles', f)));
      const rb = await readGlb(bytes, { accessors: false });
      if ((rb.json.images ?? []).some((im: { mimeType: string }) => im.mimeType === 'image/png')) textured++;
    }
    expect(textured).toBe(glbs.length);
    // ground-map-blurred-close-up: a leaf's map was 512 px over its ~700 m (1.4 m a pixel, streets a blur at
    // street level); now within 0.8 m, near the map's own
    const json = JSON.parse(fs.readFileSync(path.join(out, 'tileset.json'), 'utf8'));
    const leafMetres: number[] = [];
    const walk = async (t: { boundingVolume: { box: number[] }; content?: { uri: string }; children?: unknown[] }) => {
      if (!t.children?.length && t.content) {
        const bytes = new Uint8Array(fs.readFileSync(path.join(out, t.content.uri)));
        const rb = await readGlb(bytes, { accessors: false });
        const bv = rb.json.bufferViews[rb.json.images[0].bufferView];
        const jsonLen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
        const width = new DataView(bytes.buffer, bytes.byteOffset + 20 + jsonLen + 8 + (bv.byteOffset ?? 0) + 16, 4).getUint32(0);
        leafMetres.push((2 * Math.hypot(t.boundingVolume.box[3], t.boundingVolume.box[4])) / width);
      }
      for (const c of t.children ?? []) await walk(c as typeof t);
    };
    await walk(json.root);
    expect(leafMetres.length).toBeGreaterThan(0);
    expect(Math.max(...leafMetres)).toBeLessThan(0.8);
    // resumed-run-redid-the-textures: a rerun missing two tiles draws and says the textures of those two only,
    // and the tileset comes out the same
    const before = glbs.map((f) => fs.readFileSync(path.join(out, 'tiles', f)));
    for (const f of glbs.slice(0, 2)) fs.rmSync(path.join(out, 'tiles', f));
    fs.rmSync(path.join(out, 'tileset.json'));
    const again = cli(['tiles', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--ground-map', '-o', out]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`already complete`));
    expect(again.stderr).toMatch(/ground textures from the ground map: 2 tiles/);
    glbs.forEach((f, k) => expect(fs.readFileSync(path.join(out, 'tiles', f)).equals(before[k]), f).toBe(true));
  });

  it('ctrl-c-during-the-ground-map-crashed: SIGTERM while the drawn map is resampled exits 143, not a segmentation fault', async () => {
    // the paletted map's RGBA view (a VRT) referenced the map's own GDAL handle: the stopped job worker
    // closed the map first and then the VRT, which flushed into it (exit 139 or 134 in 15 of 18 tries)
    const out = path.join(dir, 'stopped.glb');
    const child = spawn(process.execPath, [CLI, 'build', path.join(DATA, 'sf-mvt'), '--ground-map', '-o', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let sent = false;
    child.stderr!.on('data', (d) => {
      stderr += d;
      // drawn, the map is resampled for 3 s here; the signal lands in that (0.5 s in)
      if (!sent && /ground map: \d+ land use/.test(stderr)) {
        sent = true;
        setTimeout(() => child.kill('SIGTERM'), 500);
      }
    });
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(stderr).toMatch(/ground map: \d+ land use/);
    expect(code, stderr).toBe(143);
    expect(stderr).toContain('interrupted by SIGTERM');
    expect(fs.readdirSync(dir).filter((f) => f.includes('stopped'))).toEqual([]);
  });

  it('with --imagery: a usage error (exit 2); on inputs that are not vector tiles: exit 3, saying what it needs', () => {
    const a = cli(['build', path.join(DATA, 'sf-mvt'), '--ground-map', '--imagery', path.join(DATA, 'sf-osm-raster-z12'), '-o', path.join(dir, 'a.glb')]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--ground-map.*--imagery|--imagery.*--ground-map/);
    const geojson = path.join(dir, 'one.geojson');
    fs.writeFileSync(geojson, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { height: 10 }, geometry: { type: 'Polygon', coordinates: [[[7.42, 43.73], [7.4202, 43.73], [7.4202, 43.7302], [7.42, 43.7302], [7.42, 43.73]]] } }] }));
    const b = cli(['build', geojson, '--ground-map', '-o', path.join(dir, 'b.glb')]);
    expect(b.code).toBe(3);
    expect(b.stderr).toMatch(/--ground-map draws the context layers of vector tiles; none of .*one\.geojson is a vector tile input/);
    expect(fs.existsSync(path.join(dir, 'b.glb'))).toBe(false);
  });
});
