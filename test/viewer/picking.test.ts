import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import gdal from 'gdal-async';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { freshDir } from '../helpers/fixtures.js';
import { readGlb } from '../helpers/glb.js';
import { CHROMIUM, FLAGS, startViewer } from '../helpers/viewer.js';

const R = 6378137;
const lonOf = (x: number) => (x / R) * (180 / Math.PI);
const latOf = (y: number) => Math.atan(Math.sinh(y / R)) * (180 / Math.PI);

describe('picking in the model view', () => {
  let dir: string;
  let server: ChildProcess;
  let url: string;
  let browser: Browser;
  let glb: string;

  beforeAll(async () => {
    dir = freshDir('viewer-picking');
    // a 30 m building standing at 100 m (EPSG:3857), the ground south of it rising at 45° to a plateau at 125 m (the
    // terrain block's south edge, whose side wall (skirt) hangs to 95 m)
    const [cx, cy] = [-13630416, 4546598];
    const demFile = path.join(dir, 'flat.tif');
    const ds = gdal.open(demFile, 'w', 'GTiff', 100, 100, 1, gdal.GDT_Float32);
    ds.srs = gdal.SpatialReference.fromEPSG(3857);
    ds.geoTransform = [cx - 500, 10, 0, cy + 500, 0, -10];
    const heights = new Float32Array(100 * 100);
    for (let j = 0; j < 100; j++) heights.fill(100 + Math.min(25, Math.max(0, cy - 15 - (cy + 500 - 10 * j - 5))), 100 * j, 100 * (j + 1));
    ds.bands.get(1).pixels.write(0, 0, 100, 100, heights);
    ds.close();
    const ring = (x: number, y: number, r: number) => [[-r, -r], [r, -r], [r, r], [-r, r], [-r, -r]].map(([dx, dy]) => [lonOf(cx + x + dx), latOf(cy + y + dy)]);
    const file = path.join(dir, 'one.geojson');
    // (four low sheds at the corners make a tileset's one tile, and its terrain, as wide as the GLB's)
    const sheds = [[-60, -60], [60, -60], [-60, 60], [60, 60]].map(([x, y], k) => ({ type: 'Feature', properties: { id: `shed${k}`, height: 3 }, geometry: { type: 'Polygon', coordinates: [ring(x, y, 3)] } }));
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { id: 'tower', height: 30 }, geometry: { type: 'Polygon', coordinates: [ring(0, 0, 10)] } }, ...sheds] }));
    glb = path.join(dir, 'one.glb');
    const built = cli(['build', file, '--terrain', demFile, '-o', glb, '-q']);
    expect(built.code, built.stderr).toBe(0);
    ({ server, url } = await startViewer(glb));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  });
  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
  });

  it('picked-through-the-terrain: a pointer on the terrain\'s side wall names nothing, though a building stands behind it; on the building, the building', async () => {
    const rb = await readGlb(new Uint8Array(fs.readFileSync(glb)));
    // the block's south side (glTF z is −north), the building at the frame's origin, 100–130 m up
    const south = rb.bounds[5];
    expect(south).toBeGreaterThan(60);
    const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    // level, from 30 m south of the block at 112 m, towards the building's wall 12 m above its base: the ray meets
    // the block's side wall first (it stands to ~125 m), then, past the slope, the building
    const look = async (eye: number[], at: number[]) => {
      await page.goto(`${url}#cam=${[...eye, ...at].join(',')}`);
      await page.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120_000 });
      await page.mouse.move(400, 300);
      await page.mouse.move(401, 300);
      await page.waitForTimeout(300);
      return page.evaluate(() => (window as any).cityforge.hoveredId as string | null);
    };
    const eye = [0, 112, south + 30];
    // (is the camera where it was asked to be: the view keeps it above the ground it stands over)
    const first = await look(eye, [0, 112, 0]);
    const cam = await page.evaluate(() => (window as any).cityforge.cameraState());
    await page.screenshot({ path: path.join(dir, 'side-wall.png') });
    expect(first).toBeNull();
    expect(Math.abs(cam.position[1] - 112)).toBeLessThan(1);
    // from above the block, the same building is named
    expect(await look([0, 160, south + 30], [0, 125, 0])).toBe('tower');
    await page.close();
    // the same in a tileset (its tiles' terrain hides what lies behind it as well)
    const tiles = path.join(dir, 'tiles');
    const t = cli(['tiles', path.join(dir, 'one.geojson'), '--terrain', path.join(dir, 'flat.tif'), '-o', tiles, '-q']);
    expect(t.code, t.stderr).toBe(0);
    const viewer = await startViewer(tiles);
    try {
      const tp = await browser.newPage({ viewport: { width: 800, height: 600 } });
      const lookTiles = async (eye: number[], at: number[]) => {
        await tp.goto(`${viewer.url}#cam=${[...eye, ...at].join(',')}`);
        await tp.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120_000 });
        await tp.waitForFunction(() => (window as any).cityforge.quiet(), null, { timeout: 60_000 });
        await tp.mouse.move(400, 300);
        await tp.mouse.move(401, 300);
        await tp.waitForTimeout(300);
        return tp.evaluate(() => (window as any).cityforge.hoveredId as string | null);
      };
      const leaf = (fs.readdirSync(path.join(tiles, 'tiles'), { recursive: true }) as string[]).find((f) => f.endsWith('.glb'))!;
      const tileSouth = (await readGlb(new Uint8Array(fs.readFileSync(path.join(tiles, 'tiles', leaf))))).bounds[5];
      expect(tileSouth).toBeGreaterThan(40);
      expect(await lookTiles([0, 160, tileSouth + 30], [0, 125, 0])).toBe('tower');
      const side = await lookTiles([0, 112, tileSouth + 30], [0, 112, 0]);
      await tp.screenshot({ path: path.join(dir, 'tiles-side-wall.png') });
      expect(side).toBeNull();
      await tp.close();
    } finally {
      viewer.server.kill('SIGTERM');
    }
  });
});
