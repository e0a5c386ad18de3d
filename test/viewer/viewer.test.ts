import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA, freshDir } from '../helpers/fixtures.js';
import { cli } from '../helpers/cli.js';
import { expectValidGlb } from '../helpers/glb.js';
import { CHROMIUM, FLAGS, near, pixelStats, plainShare, settle, startViewer, TEST_SCALE } from '../helpers/viewer.js';

/**
 * The share of a 9 × 9 pixel patch about page point (x, y) in the highlight's cyan (as pixelStats counts
 * it), or with `blended` in a blend of it over a building's warm colour (blue well over red).
 */
function highlightAround(png: Buffer, x: number, y: number, blended = false): number {
  const img = PNG.sync.read(png);
  let n = 0, lit = 0;
  for (let j = Math.round(y) - 4; j <= Math.round(y) + 4; j++)
    for (let i = Math.round(x) - 4; i <= Math.round(x) + 4; i++) {
      if (i < 0 || j < 0 || i >= img.width || j >= img.height) continue;
      const k = 4 * (j * img.width + i);
      const [r, g, b] = [img.data[k], img.data[k + 1], img.data[k + 2]];
      n++;
      if (blended ? b > r + 40 && g > r + 20 : b > 120 && b - r > 110 && g > 90) lit++;
    }
  return n ? lit / n : 0;
}

describe('viewer in a real browser (Debian chromium, headless, SwiftShader WebGL2)', () => {
  let dir: string;
  let server: ChildProcess;
  let url: string;
  let browser: Browser;
  let page: Page;
  let tallest: number;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium`);
    dir = freshDir('viewer');
    const glb = path.join(dir, 'city.glb');
    const built = cli(['build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--terrain', path.join(DATA, 'sf-terrain-3857.tif'), '-o', glb, '-q']);
    expect(built.code, built.stderr).toBe(0);
    await expectValidGlb(new Uint8Array(fs.readFileSync(glb)));
    ({ server, url } = await startViewer(glb));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(url);
    await page.waitForFunction('window.cityforge && (window.cityforge.ready || window.cityforge.error)', null, { timeout: 120_000 });
    tallest = await page.evaluate(() => {
      const hs = (window as any).cityforge.model.table.height as number[];
      return hs.reduce((best, h, i) => (h > hs[best] ? i : best), 0);
    });
  });

  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
  });

  it('favicon-404-in-the-console: the page loads with no console error at all', async () => {
    expect(consoleErrors).toEqual([]);
  });

  it('serves the page and the model; WebGL2 initialised and the model loaded without error', async () => {
    const state = await page.evaluate(() => ({ ready: (window as any).cityforge.ready, error: (window as any).cityforge.error, webgl2: (window as any).cityforge.webgl2 }));
    expect(state).toEqual({ ready: true, error: null, webgl2: true });
    expect(await page.textContent('#stats')).toMatch(/buildings · [\d,]+ triangles/);
    expect(await page.textContent('#attribution')).toContain('© OpenStreetMap contributors');
  });

  it('model view: the canvas shows the city (pixels differ from the background, building colours present)', async () => {
    const shot = await page.screenshot({ path: path.join(dir, 'model-view.png'), clip: { x: 0, y: 0, width: 960, height: 800 } });
    const s = pixelStats(shot);
    expect(s.drawn).toBeGreaterThan(0.3);
    expect(s.building).toBeGreaterThan(0.02);
  });

  it('software-rendering-was-sluggish: in software WebGL (SwiftShader here) both views draw without MSAA; ?antialias=1 asks for it', async () => {
    const aa = (p: Page) => p.evaluate(() => (document.querySelector('#view-model canvas') as HTMLCanvasElement).getContext('webgl2')!.getContextAttributes()!.antialias);
    expect(await page.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl2')!;
      return String(gl.getParameter(gl.getExtension('WEBGL_debug_renderer_info')!.UNMASKED_RENDERER_WEBGL));
    })).toMatch(/SwiftShader/i);
    expect(await aa(page)).toBe(false);
    const smooth = await browser.newPage({ viewport: { width: 640, height: 400 } });
    await smooth.goto(`${url}&antialias=1`);
    await smooth.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120_000 });
    expect(await aa(smooth)).toBe(true);
    // the map view (deck.gl) asks the same
    await smooth.click('#toggle');
    await smooth.waitForFunction(() => !!document.querySelector('#view-map canvas'), null, { timeout: 60_000 });
    expect(await smooth.evaluate(() => (document.querySelector('#view-map canvas') as HTMLCanvasElement).getContext('webgl2')!.getContextAttributes()!.antialias)).toBe(true);
    await smooth.close();
  });

  it('tests-took-a-quarter-hour: ?scale= sets the device pixels both views draw per CSS pixel (TEST_SCALE here), the screen\'s own without it', async () => {
    const sizes = (p: Page, view: string) => p.evaluate((v) => {
      const c = document.querySelector(`#view-${v} canvas`) as HTMLCanvasElement;
      return { drawn: c.width, css: Math.round(c.getBoundingClientRect().width), enlarged: getComputedStyle(c).imageRendering };
    }, view);
    expect(url).toContain(`?scale=${TEST_SCALE}`);
    const half = await sizes(page, 'model');
    expect(Math.abs(half.drawn - half.css * TEST_SCALE)).toBeLessThanOrEqual(1);
    // scale-blurred-the-legend: enlarged pixel by pixel, so a colour-by view keeps the legend's own colours
    expect(half.enlarged).toBe('pixelated');
    const full = await browser.newPage({ viewport: { width: 640, height: 400 } });
    await full.goto(url.replace(`?scale=${TEST_SCALE}`, ''));
    await full.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120_000 });
    const one = await sizes(full, 'model');
    expect(one.drawn).toBe(one.css);
    expect(one.enlarged).not.toBe('pixelated');
    await full.click('#toggle');
    await full.waitForFunction(() => !!document.querySelector('#view-map canvas') && (document.querySelector('#view-map canvas') as HTMLCanvasElement).width > 0, null, { timeout: 60_000 });
    const map = await sizes(full, 'map');
    expect(map.drawn).toBe(map.css);
    await full.close();
    // the map view at the same scale too
    await page.click('#toggle');
    await page.waitForFunction(() => !!document.querySelector('#view-map canvas') && (document.querySelector('#view-map canvas') as HTMLCanvasElement).width > 0, null, { timeout: 60_000 });
    const halfMap = await sizes(page, 'map');
    expect(Math.abs(halfMap.drawn - halfMap.css * TEST_SCALE)).toBeLessThanOrEqual(1);
    expect(halfMap.enlarged).toBe('pixelated');
    await page.click('#toggle');
    await page.waitForFunction(() => (window as any).cityforge.view === 'model');
  });

  it('model view: a click on the tallest building shows its id and height in the panel, and highlights it', async () => {
    const pos = await page.evaluate((id) => (window as any).cityforge.screenPositionOf(id), tallest);
    expect(pos).not.toBeNull();
    await page.mouse.click(pos.x, pos.y);
    const row = await page.evaluate((id) => ({ id: (window as any).cityforge.model.table.id[id], height: (window as any).cityforge.model.table.height[id] }), tallest);
    expect(await page.evaluate(() => (window as any).cityforge.selected)).toBe(tallest);
    expect(await page.textContent('#selection [data-key="id"]')).toBe(row.id);
    // heights carry their unit
    expect(await page.textContent('#selection [data-key="height"]')).toBe(`${Number.isInteger(row.height) ? row.height : row.height.toFixed(2)} m`);
    // panel-repeated-itself: rows that only repeat another are left out (the table keeps them): its type equal
    // to building, extrude true, one piece. (The tile's own height, equal to the height on every row, is no
    // column at all: source-column-repeated)
    const t = await page.evaluate((id) => Object.fromEntries(Object.entries((window as any).cityforge.model.table as Record<string, unknown[]>).map(([k, c]) => [k, c[id]])), tallest);
    expect(t).not.toHaveProperty('source_height');
    expect(t.type).toBe(t.building);
    expect([t.extrude, t.pieces]).toEqual(['true', 1]);
    const keys = await page.$$eval('#selection td[data-key]', (tds) => tds.map((td) => (td as HTMLElement).dataset.key));
    for (const k of ['source_height', 'type', 'extrude', 'pieces']) expect(keys).not.toContain(k);
    expect(keys).toEqual(expect.arrayContaining(['id', 'source', 'height', 'building']));
    // source-was-jargon: the source row names the file and its layer
    expect(await page.textContent('#selection [data-key="source"]')).toBe('15-5238-12666.mvt, layer building');
    const shot = await page.screenshot({ path: path.join(dir, 'model-view-picked.png') });
    expect(pixelStats(shot).highlight).toBeGreaterThan(20);
    // a click on empty sky clears the selection
    await page.mouse.click(5, 5);
    expect(await page.evaluate(() => (window as any).cityforge.selected)).toBeNull();
  });

  it('selection-unlit-under-another-hover: the selected building stays lit while the pointer lights another', async () => {
    const pos = await page.evaluate((id) => (window as any).cityforge.screenPositionOf(id), tallest);
    await page.mouse.click(pos.x, pos.y);
    expect(await page.evaluate(() => (window as any).cityforge.selected)).toBe(tallest);
    // another building on screen, well away from the selected one: the tallest such
    const other = await page.evaluate(({ tallest, pos }) => {
      const cf = (window as any).cityforge;
      const hs = cf.model.table.height as number[];
      let best: { id: number; x: number; y: number } | null = null;
      hs.forEach((h, i) => {
        const p = i === tallest ? null : cf.screenPositionOf(i);
        if (!p || Math.hypot(p.x - pos.x, p.y - pos.y) < 80 || p.x < 40 || p.y < 40 || p.x > 900 || p.y > 760) return;
        if (!best || h > hs[best.id]) best = { id: i, x: p.x, y: p.y };
      });
      return best;
    }, { tallest, pos });
    expect(other).not.toBeNull();
    await page.mouse.move(other!.x, other!.y);
    await page.waitForFunction(() => (window as any).cityforge.hoveredId !== null, null, { timeout: 10_000 });
    const hovered = await page.evaluate(() => (window as any).cityforge.hoveredId);
    expect(hovered).not.toBe(await page.evaluate((id) => String((window as any).cityforge.model.table.id[id]), tallest));
    await settle(page);
    const shot = await page.screenshot({ path: path.join(dir, 'model-view-selected-and-hovered.png'), clip: { x: 0, y: 0, width: 960, height: 800 } });
    // the selected building's top still in the highlight's cyan (the hover had taken the highlight away)
    expect(highlightAround(shot, pos.x, pos.y)).toBeGreaterThan(0.5);
    // hover-looked-selected: the hovered one tinted, the highlight blended over its own colour (blue over
    // red), not in the selection's full cyan (it may be small on the screen: part of the patch)
    expect(highlightAround(shot, other!.x, other!.y, true)).toBeGreaterThan(0.15);
    expect(highlightAround(shot, other!.x, other!.y)).toBeLessThan(0.1);
    await page.mouse.click(5, 5);
    expect(await page.evaluate(() => (window as any).cityforge.selected)).toBeNull();
  });

  it('the toggle switches to the deck.gl map view, which draws the city and picks the same building', async () => {
    await page.click('#toggle');
    expect(await page.evaluate(() => (window as any).cityforge.view)).toBe('map');
    expect(await page.isVisible('#view-map canvas')).toBe(true);
    expect(await page.isHidden('#view-model')).toBe(true);
    await settle(page);
    const shot = await page.screenshot({ path: path.join(dir, 'map-view.png'), clip: { x: 0, y: 0, width: 960, height: 800 } });
    const s = pixelStats(shot);
    expect(s.drawn).toBeGreaterThan(0.2);
    expect(s.building).toBeGreaterThan(0.01);
    // map-view-had-no-ground: the city stands on the model view's plain (it stood on the sky's colour)
    expect(plainShare(shot)).toBeGreaterThan(0.2);
    const pos = await page.evaluate((id) => (window as any).cityforge.screenPositionOf(id), tallest);
    await page.mouse.click(pos.x, pos.y);
    await settle(page);
    expect(await page.evaluate(() => (window as any).cityforge.selected), JSON.stringify(pos)).toBe(tallest);
    expect(await page.textContent('#toggle')).toBe('Model view');
    await page.click('#toggle');
    expect(await page.evaluate(() => (window as any).cityforge.view)).toBe('model');
  });

  it.each([
    ['city.glb', []],
    ['city-compressed.glb', ['--compress']],
  ])('export-from-a-sub-path: cityforge view --export writes a static site that works from a plain static server under /projects/city/ (%s)', async (name, extra) => {
    const site = path.join(dir, `site-${name}`);
    if (!fs.existsSync(path.join(dir, name))) {
      const b = cli(['build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), ...extra, '-o', path.join(dir, name), '-q']);
      expect(b.code, b.stderr).toBe(0);
      await expectValidGlb(new Uint8Array(fs.readFileSync(path.join(dir, name))));
    }
    const r = cli(['view', path.join(dir, name), '--export', site]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['index.html', 'config.json', `data/${name}`]) expect(fs.existsSync(path.join(site, f))).toBe(true);
    // serve the folder with a minimal static server (not cityforge's) under a sub-path, as a project
    // site is served (export-from-a-sub-path): only /projects/city/… exists
    const http = await import('node:http');
    const BASE = '/projects/city/';
    const srv = http.createServer((q, s) => {
      const u = decodeURIComponent(q.url!.split('?')[0]);
      if (!u.startsWith(BASE)) return s.writeHead(404).end();
      const rel = u.slice(BASE.length);
      const p = path.join(site, rel === '' ? 'index.html' : rel);
      if (!p.startsWith(site) || !fs.existsSync(p) || fs.statSync(p).isDirectory()) return s.writeHead(404).end();
      s.writeHead(200, { 'content-type': p.endsWith('.js') ? 'text/javascript' : p.endsWith('.html') ? 'text/html' : p.endsWith('.css') ? 'text/css' : 'application/octet-stream' });
      fs.createReadStream(p).pipe(s);
    });
    await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
    const p2 = await browser.newPage({ viewport: { width: 800, height: 600 } });
    const failed: string[] = [];
    p2.on('response', (res) => {
      if (res.status() >= 400) failed.push(res.url());
    });
    await p2.goto(`http://127.0.0.1:${(srv.address() as { port: number }).port}${BASE}`);
    await p2.waitForFunction('window.cityforge && (window.cityforge.ready || window.cityforge.error)', null, { timeout: 120_000 });
    expect(await p2.evaluate(() => (window as any).cityforge.error)).toBeNull();
    expect(pixelStats(await p2.screenshot()).building).toBeGreaterThan(0.02);
    expect(failed).toEqual([]);
    await p2.close();
    srv.close();
    // site-opened-from-disk-said-loading: opened from the disk (index.html double-clicked), it says how to serve it
    const p3 = await browser.newPage({ viewport: { width: 800, height: 600 } });
    await p3.goto(`file://${path.join(site, 'index.html')}`);
    expect(await p3.textContent('#stats')).toMatch(/must be served over HTTP.*python3 -m http\.server 8000/);
    await p3.close();
  });
});

describe('viewer navigation as a person does it (drag, wheel, small screens)', () => {
  let dir: string;
  let server: ChildProcess;
  let url: string;
  let browser: Browser;
  let glb: string;

  beforeAll(async () => {
    dir = freshDir('viewer-navigation');
    glb = path.join(dir, 'hills.glb');
    // SF's hills (20–270 m) under one tile of buildings
    const built = cli(['build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--terrain', path.join(DATA, 'sf-terrain-3857.tif'), '-o', glb, '-q']);
    expect(built.code, built.stderr).toBe(0);
    ({ server, url } = await startViewer(glb));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  });
  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
  });

  async function open(width = 1280, height = 800, at = url): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(at);
    await page.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120_000 });
    return page;
  }

  const tallestOf = (page: Page) =>
    page.evaluate(() => {
      const hs = (window as any).cityforge.model.table.height as number[];
      return hs.reduce((best, h, i) => (h > hs[best] ? i : best), 0);
    });

  it('orbiting-changed-the-selection: a drag that starts and ends on buildings orbits and leaves the selection alone; a click still selects', async () => {
    const page = await open();
    const tallest = await tallestOf(page);
    const pos = await page.evaluate((id) => (window as any).cityforge.screenPositionOf(id), tallest);
    await page.mouse.click(pos.x, pos.y);
    expect(await page.evaluate(() => (window as any).cityforge.selected)).toBe(tallest);
    const before = await page.evaluate(() => (window as any).cityforge.cameraState());
    // drag from the middle of the city 150 px to the left, slowly, and release over buildings
    await page.mouse.move(500, 450);
    await page.mouse.down();
    for (let k = 1; k <= 10; k++) await page.mouse.move(500 - 15 * k, 450 + 2 * k);
    await page.mouse.up();
    const after = await page.evaluate(() => (window as any).cityforge.cameraState());
    expect(after.position).not.toEqual(before.position); // it orbited
    expect(await page.evaluate(() => (window as any).cityforge.selected)).toBe(tallest);
    await page.close();
  });

  it('tooltip-stayed-after-a-drag: a drag that starts on a hovered building and ends over the sky leaves no tooltip behind; hovering again shows it', async () => {
    const page = await open();
    const tallest = await tallestOf(page);
    const pos = await page.evaluate((id) => (window as any).cityforge.screenPositionOf(id), tallest);
    await page.mouse.move(pos.x - 3, pos.y);
    await page.mouse.move(pos.x, pos.y);
    await page.waitForFunction(() => !(document.getElementById('tooltip') as HTMLElement).hidden);
    // a pan to the right, released high up over the sky (the first view's top strip)
    await page.mouse.down({ button: 'right' });
    for (let k = 1; k <= 10; k++) await page.mouse.move(pos.x + 20 * k, pos.y - ((pos.y - 30) * k) / 10);
    await page.mouse.up({ button: 'right' });
    await settle(page);
    const at = await page.evaluate(() => (window as any).cityforge.hoveredId);
    // whatever now rests under the pointer is what the tooltip names (the sky: none)
    if (at === null) expect(await page.isVisible('#tooltip')).toBe(false);
    else expect(await page.textContent('#tooltip')).toContain(at);
    expect(await page.isVisible('#tooltip')).toBe(at !== null);
    await page.close();
  });

  it('the-camera-went-under-the-ground: dragging hard both ways and zooming in keeps the camera above the terrain; eye-level-was-impossible: tilted to the horizon, a street-level view', async () => {
    const page = await open();
    // orbit-point-in-mid-air: the first view turns about the ground (it turned about the box's centre, 45 m up),
    // and an arrow key pans over the ground without lifting it
    expect(Math.abs((await page.evaluate(() => (window as any).cityforge.cameraState())).targetAboveGround)).toBeLessThan(0.5);
    await page.keyboard.press('ArrowUp');
    expect(Math.abs((await page.evaluate(() => (window as any).cityforge.cameraState())).targetAboveGround)).toBeLessThan(20);
    await page.mouse.move(640, 300);
    await page.mouse.down();
    for (let k = 1; k <= 20; k++) await page.mouse.move(640, 300 + 25 * k);
    await page.mouse.up();
    // (a drag down turns the view to straight down; a drag up tilts it towards the horizon)
    expect((await page.evaluate(() => (window as any).cityforge.cameraState())).polarDegrees).toBeLessThan(5);
    await page.mouse.move(640, 780);
    await page.mouse.down();
    for (let k = 1; k <= 30; k++) await page.mouse.move(640, 780 - 25 * k);
    await page.mouse.up();
    // eye-level-was-impossible: down to the horizon (a street-level view), never past it
    const level = await page.evaluate(() => (window as any).cityforge.cameraState());
    expect(level.polarDegrees).toBeLessThanOrEqual(90.01);
    expect(level.polarDegrees).toBeGreaterThan(89);
    await page.mouse.wheel(0, -400);
    await settle(page);
    const street = await page.evaluate(() => (window as any).cityforge.cameraState());
    expect(street.polarDegrees).toBeGreaterThan(80);
    expect(street.heightAboveGround).toBeGreaterThan(1);
    // the horizon near the middle of the screen: sky above it (the background), city and ground below
    const shot = PNG.sync.read(await page.screenshot());
    const bg = shot.data.slice(0, 3);
    const skyShare = (y0: number, y1: number) => {
      let n = 0, sky = 0;
      for (let y = y0; y < y1; y += 4)
        for (let x = 0; x < shot.width; x += 8) {
          const i = 4 * (y * shot.width + x);
          n++;
          if (Math.abs(shot.data[i] - bg[0]) + Math.abs(shot.data[i + 1] - bg[1]) + Math.abs(shot.data[i + 2] - bg[2]) < 24) sky++;
        }
      return sky / n;
    };
    fs.writeFileSync(path.join(dir, 'eye-level.png'), PNG.sync.write(shot));
    // (the plain reaches the horizon, hazed into the sky: the sky is the band above it, the top tenth)
    expect(skyShare(0, 80)).toBeGreaterThan(0.5);
    expect(skyShare(600, 800)).toBeLessThan(0.2);
    // zoom-out-stuck-near-the-horizon: wheel steps back from a street-level view take the camera away from
    // what it looks at (the camera and its orbit point slid back together, a few metres apart still)
    const dist = (c: { position: number[]; target: number[] }) => Math.hypot(c.position[0] - c.target[0], c.position[1] - c.target[1], c.position[2] - c.target[2]);
    for (let k = 0; k < 20; k++) await page.mouse.wheel(0, 400);
    await settle(page);
    const back = await page.evaluate(() => (window as any).cityforge.cameraState());
    expect(dist(back)).toBeGreaterThan(5 * dist(street));
    expect(back.polarDegrees).toBeGreaterThan(60); // still looking across the city (lifted over the hills behind)
    for (let k = 0; k < 20; k++) await page.mouse.wheel(0, -400);
    // zoomed right in, still above the ground
    for (let k = 0; k < 14; k++) await page.mouse.wheel(0, -400);
    await settle(page);
    const s = await page.evaluate(() => (window as any).cityforge.cameraState());
    expect(s.polarDegrees).toBeLessThanOrEqual(90.01);
    expect(s.heightAboveGround).toBeGreaterThan(1);
    // the home button brings the first view back
    await page.click('#home');
    const home = await page.evaluate(() => (window as any).cityforge.cameraState());
    expect(home.polarDegrees).toBeLessThan(70);
    await page.close();
  });

  it('find-flew-low: from a view tilted to the horizon, Find flies to the building from above (at most 55° from straight down), the building in the middle', async () => {
    const page = await open();
    await page.mouse.move(640, 750);
    await page.mouse.down();
    for (let k = 1; k <= 20; k++) await page.mouse.move(640, 750 - 30 * k);
    await page.mouse.up();
    expect((await page.evaluate(() => (window as any).cityforge.cameraState())).polarDegrees).toBeGreaterThan(75);
    const id = await page.evaluate(() => String((window as any).cityforge.model.table.id[100]));
    await page.fill('#search-input', id);
    await page.press('#search-input', 'Enter');
    expect(await page.evaluate(() => (window as any).cityforge.selected)).toBe(100);
    const s = await page.evaluate(() => (window as any).cityforge.cameraState());
    expect(s.polarDegrees).toBeLessThanOrEqual(55.5);
    expect(s.polarDegrees).toBeGreaterThan(40);
    const pos = await page.evaluate(() => (window as any).cityforge.screenPositionOf(100));
    expect(Math.abs(pos.x - 640)).toBeLessThan(200);
    expect(Math.abs(pos.y - 400)).toBeLessThan(200);
    await page.close();
  });

  it('compass and scale bar in both views: the needle follows an orbit and a click turns the view north up; the bar is a round length that shrinks as the wheel zooms in; the about line names the source', async () => {
    const page = await open();
    const nav = () => page.evaluate(() => (window as any).cityforge.nav());
    const round = (m: number) => [1, 2, 5].some((k) => Math.abs(m / (k * 10 ** Math.floor(Math.log10(m))) - 1) < 1e-9);
    const check = (n: { metresPerPixel: number; barMetres: number; barPixels: number }) => {
      expect(round(n.barMetres)).toBe(true);
      expect(n.barPixels).toBeGreaterThan(40);
      expect(n.barPixels).toBeLessThanOrEqual(120.001);
      expect(n.barMetres / n.metresPerPixel).toBeCloseTo(n.barPixels, 3);
    };
    // and when it was built: the GLB's date (the file's; its bytes hold none)
    const built = fs.statSync(glb).mtime.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
    expect(await page.textContent('#about')).toBe(`${await page.evaluate(() => (window as any).cityforge.model.rows.toLocaleString('en-US'))} buildings from 15-5238-12666.mvt · built by cityforge on ${built}`);
    const first = await nav();
    check(first);
    expect(await page.textContent('#scale .label')).toBe(first.barMetres >= 1000 ? `${first.barMetres / 1000} km` : `${first.barMetres} m`);
    // the bar's drawn width is what it says
    expect((await page.locator('#scale .bar').boundingBox())!.width).toBeCloseTo(first.barPixels, 0);
    // orbit: drag sideways
    await page.mouse.move(500, 450);
    await page.mouse.down();
    for (let k = 1; k <= 10; k++) await page.mouse.move(500 - 20 * k, 450);
    await page.mouse.up();
    const turned = await nav();
    expect(Math.abs(turned.bearing - first.bearing)).toBeGreaterThan(10);
    await page.click('#compass');
    expect(Math.min((await nav()).bearing, 360 - (await nav()).bearing)).toBeLessThan(0.01);
    // zoom in: fewer metres a pixel
    await page.mouse.move(480, 420);
    for (let k = 0; k < 5; k++) await page.mouse.wheel(0, -300);
    await settle(page);
    const zoomed = await nav();
    check(zoomed);
    expect(zoomed.metresPerPixel).toBeLessThan(0.8 * first.metresPerPixel);
    // the map view looks from where the model view did (view-switch-lost-the-camera): north up, the same
    // scale; then from its own home (turned 20° west) north up on a click
    await page.click('#toggle');
    await page.waitForFunction('window.cityforge.view === "map" && window.cityforge.nav()', null, { timeout: 10_000 });
    const map = await nav();
    check(map);
    expect(Math.min(map.bearing, 360 - map.bearing)).toBeLessThan(1);
    expect(Math.abs(map.metresPerPixel / zoomed.metresPerPixel - 1)).toBeLessThan(0.15);
    await page.click('#home');
    await page.waitForFunction('window.cityforge.nav().bearing > 300', null, { timeout: 10_000 });
    await page.click('#compass');
    await page.waitForFunction('window.cityforge.nav().bearing < 0.01', null, { timeout: 10_000 });
    await page.close();
  });

  it('wheel-speed-differed: one wheel step zooms the model view and the map view alike (by 1.2)', async () => {
    const page = await open();
    const mpp = () => page.evaluate(() => (window as any).cityforge.nav().metresPerPixel as number);
    const steps: Record<string, number> = {};
    for (const view of ['model', 'map']) {
      if (view === 'map') {
        await page.click('#toggle');
        await page.waitForFunction('window.cityforge.view === "map" && window.cityforge.nav()');
      }
      await page.mouse.move(480, 400);
      const before = await mpp();
      await page.mouse.wheel(0, -100);
      await page.waitForFunction((b) => (window as any).cityforge.nav().metresPerPixel < b, before);
      steps[view] = before / (await mpp());
    }
    expect(steps.model).toBeCloseTo(1.2, 1);
    expect(steps.map).toBeCloseTo(1.2, 1);
    await page.close();
  });

  it('pinch-zoomed-300-times: on a touch screen, two fingers spread to twice their distance zoom the model view about twice in (as the map view does), not hundreds of times; a wheel step after it is still 1.2', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    await page.goto(url);
    await page.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120_000 });
    const mpp = () => page.evaluate(() => (window as any).cityforge.nav().metresPerPixel as number);
    const cdp = await page.context().newCDPSession(page);
    const touch = (type: string, pts: number[][]) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: pts.map(([x, y], id) => ({ x, y, id })) });
    const before = await mpp();
    // two fingers 100 px apart over the city, spread to 200 px in ten moves
    const at = (gap: number) => [[195 - gap / 2, 420], [195 + gap / 2, 420]];
    await touch('touchStart', at(100));
    for (let k = 1; k <= 10; k++) await touch('touchMove', at(100 + 10 * k));
    await touch('touchEnd', []);
    await page.waitForFunction((b) => (window as any).cityforge.nav().metresPerPixel < b / 1.5, before, { timeout: 10_000 });
    const pinched = before / (await mpp());
    // (before: 2^3.55, about 12 times, each move's spread ratio raised to the wheel's zoom speed)
    expect(pinched).toBeGreaterThan(1.6);
    expect(pinched).toBeLessThan(2.5);
    const wheelAt = await mpp();
    await page.mouse.move(195, 420);
    await page.mouse.wheel(0, -100);
    await page.waitForFunction((b) => (window as any).cityforge.nav().metresPerPixel < b, wheelAt);
    expect(wheelAt / (await mpp())).toBeCloseTo(1.2, 1);
    await page.close();
  });

  it('zoom-ignored-the-pointer: wheel steps zoom towards the building under the pointer, which stays under it; zoomed-into-a-building: forty more never take the camera inside it', async () => {
    const page = await open();
    const tallest = await tallestOf(page);
    const pos = await page.evaluate((id) => (window as any).cityforge.screenPositionOf(id), tallest);
    // away from the middle of the screen, where zooming about the centre would move it most
    expect(Math.hypot(pos.x - 640, pos.y - 400)).toBeGreaterThan(60);
    await page.mouse.move(pos.x, pos.y);
    const d0 = await page.evaluate(() => (window as any).cityforge.nav().metresPerPixel as number);
    for (let k = 0; k < 4; k++) await page.mouse.wheel(0, -100);
    await settle(page);
    expect(await page.evaluate(() => (window as any).cityforge.nav().metresPerPixel as number)).toBeLessThan(d0 / 1.5);
    const now = await page.evaluate((id) => (window as any).cityforge.screenPositionOf(id), tallest);
    // before: the view zoomed about its centre and the building slid 1.2× farther from it each step
    expect(Math.hypot(now.x - pos.x, now.y - pos.y)).toBeLessThan(40);
    await page.mouse.click(now.x, now.y);
    expect(await page.evaluate(() => (window as any).cityforge.selected)).toBe(tallest);
    // forty more steps with the pointer on its roof: the camera stops short of it
    await page.mouse.move(now.x, now.y);
    for (let k = 0; k < 40; k++) await page.mouse.wheel(0, -100);
    await settle(page);
    await page.mouse.click(now.x, now.y);
    expect(await page.evaluate(() => (window as any).cityforge.selected)).toBe(tallest);
    // wheel-stopped-short-of-a-roof: the steps went on past where the orbit point's share would overshoot
    // (they stopped 13 m short with the orbit point far beyond the roof), to the nearest distance, not closer
    const near = await page.evaluate(([x, y]) => (window as any).cityforge.distanceAt(x, y), [now.x, now.y]);
    const stopAt = await page.evaluate(() => (window as any).cityforge.minDistance);
    expect(near).toBeGreaterThanOrEqual(stopAt - 0.01);
    expect(near).toBeLessThan(stopAt + 1);
    const shot = PNG.sync.read(await page.screenshot());
    const counts = new Map<number, number>();
    for (let i = 0; i < shot.data.length; i += 4 * 37) {
      const key = ((shot.data[i] >> 3) << 10) | ((shot.data[i + 1] >> 3) << 5) | (shot.data[i + 2] >> 3);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    fs.writeFileSync(path.join(dir, 'zoomed-in.png'), PNG.sync.write(shot));
    expect(Math.max(...counts.values()) / (shot.data.length / (4 * 37))).toBeLessThan(0.6);
    await page.close();
  });

  it('tilted-wheel-turned-the-view: near the horizon, wheel steps towards a building keep it under the pointer and the tilt as it was', async () => {
    const page = await open();
    // a view 12° above the horizon, from the first view's orbit point and distance
    const home = await page.evaluate(() => (window as any).cityforge.cameraState());
    const [t, p] = [home.target as number[], home.position as number[]];
    const h = [p[0] - t[0], 0, p[2] - t[2]];
    const hl = Math.hypot(h[0], h[2]);
    const r = Math.hypot(p[0] - t[0], p[1] - t[1], p[2] - t[2]);
    const a = (78 * Math.PI) / 180;
    const eye = [t[0] + (r * Math.sin(a) * h[0]) / hl, t[1] + r * Math.cos(a), t[2] + (r * Math.sin(a) * h[2]) / hl];
    await page.evaluate((cam) => (location.hash = `#cam=${cam.join(',')}`), [...eye, ...t].map((v) => v.toFixed(2)));
    await page.waitForFunction(() => Math.abs((window as any).cityforge.cameraState().polarDegrees - 78) < 0.5);
    await settle(page);
    // a building in the lower middle of the screen, picked where it stands
    const b = await page.evaluate(() => {
      const c = (window as any).cityforge;
      for (let id = 0; id < c.model.rows; id++) {
        const q = c.screenPositionOf(id);
        if (q && q.x > 400 && q.x < 800 && q.y > 450 && q.y < 650) return { id, ...q };
      }
      return null;
    });
    expect(b).not.toBeNull();
    await page.mouse.click(b!.x, b!.y);
    const picked = await page.evaluate(() => (window as any).cityforge.selected);
    expect(picked).not.toBeNull();
    const at = await page.evaluate((id) => (window as any).cityforge.screenPositionOf(id), picked);
    await page.mouse.move(at.x, at.y);
    const before = await page.evaluate(() => (window as any).cityforge.cameraState());
    // horizon-wheel-jumped: a step takes the camera 1.2 times closer to what is under the pointer (near the
    // horizon the step was a share of the distance to the orbit point, which lies beyond the city: from a
    // skyline 260 m off, one step went to 63 m)
    const d0 = await page.evaluate(([x, y]) => (window as any).cityforge.distanceAt(x, y), [at.x, at.y]);
    await page.mouse.wheel(0, -100);
    await settle(page);
    const d1 = await page.evaluate(([x, y]) => (window as any).cityforge.distanceAt(x, y), [at.x, at.y]);
    expect(d0 / d1).toBeGreaterThan(1.15);
    expect(d0 / d1).toBeLessThan(1.25);
    for (let k = 0; k < 2; k++) await page.mouse.wheel(0, -100);
    await settle(page);
    const after = await page.evaluate(() => (window as any).cityforge.cameraState());
    // closer, the tilt kept (it grew 1.2° a step), the building still under the pointer
    expect(Math.hypot(...after.position.map((v: number, k: number) => v - before.position[k]))).toBeGreaterThan(1);
    expect(Math.abs(after.polarDegrees - before.polarDegrees)).toBeLessThan(0.2);
    const now = await page.evaluate((id) => (window as any).cityforge.screenPositionOf(id), picked);
    expect(Math.hypot(now.x - at.x, now.y - at.y)).toBeLessThan(15);
    // and back out the same way
    for (let k = 0; k < 3; k++) await page.mouse.wheel(0, 100);
    await settle(page);
    const out = await page.evaluate(() => (window as any).cityforge.cameraState());
    expect(Math.abs(out.polarDegrees - before.polarDegrees)).toBeLessThan(0.2);
    await page.close();
  });

  it('first-view-cropped: at 1280 × 800 the first view has every building on the screen', async () => {
    const page = await open();
    const off = await page.evaluate(() => {
      const c = (window as any).cityforge;
      let out = 0, seen = 0;
      for (let id = 0; id < c.model.rows; id += 7) {
        const p = c.screenPositionOf(id);
        if (!p) continue;
        seen++;
        if (p.x < 0 || p.x > innerWidth || p.y < 0 || p.y > innerHeight) out++;
      }
      return { out, seen };
    });
    expect(off.seen).toBeGreaterThan(200);
    expect(off.out).toBe(0);
    await page.close();
  });

  it('wheel-over-sky-flew-away: tilted to the horizon in the map view, wheel steps over the sky zoom about the view centre; over the city, about the pointer', async () => {
    const page = await open();
    await page.click('#toggle');
    await page.waitForFunction('window.cityforge.view === "map" && window.cityforge.nav()');
    await page.click('#home');
    // the camera written to the address (position, look-at point; glTF axes), once it has settled
    // (wheel-test-read-the-old-camera: the first poll after a wheel compared the address with the last one
    // read before it and, the frame not drawn yet, found it "settled"; after a move, the camera is waited
    // for until it differs from the one before, then holds still)
    let read = '';
    const cam = async (moved = false) => {
      await page.waitForFunction((prev) => {
        const c = new URLSearchParams(location.hash.slice(1)).get('cam') ?? '';
        const w = window as any;
        const same = c !== '' && c === w.__lastCam && (prev === null || c !== prev);
        w.__lastCam = c;
        return same;
      }, moved ? read : null, { polling: 400 });
      read = await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get('cam')!);
      const v = read.split(',').map(Number);
      return { position: v.slice(0, 3), target: v.slice(3, 6) };
    };
    const dist = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    // tilt towards the horizon: a ctrl-drag upwards
    await page.mouse.move(640, 650);
    await page.keyboard.down('Control');
    await page.mouse.down();
    await page.mouse.move(640, 100, { steps: 12 });
    await page.mouse.up();
    await page.keyboard.up('Control');
    const before = await cam(true);
    const d0 = dist(before.position, before.target);
    const up = [before.position[0] - before.target[0], before.position[1] - before.target[1], before.position[2] - before.target[2]];
    expect(Math.acos(up[1] / d0) * (180 / Math.PI)).toBeGreaterThan(70);
    await page.screenshot({ path: path.join(dir, 'map-tilted.png') });
    // three steps in with the pointer over the sky, near the top of the page
    await page.mouse.move(640, 30);
    for (let k = 0; k < 3; k++) await page.mouse.wheel(0, -100);
    const after = await cam(true);
    await page.screenshot({ path: path.join(dir, 'map-tilted-wheel.png') });
    // about the centre: the look-at point stays, the camera comes 1.2³ closer (it flew ~8 km before)
    expect(dist(after.target, before.target)).toBeLessThan(0.05 * d0);
    expect(dist(after.position, after.target)).toBeLessThan(d0 / 1.5);
    // over the city, the step still zooms towards the pointer: the look-at point moves towards it
    const tallest = await tallestOf(page);
    const at = await page.evaluate((i) => (window as any).cityforge.screenPositionOf(i), tallest);
    await page.mouse.move(at.x, at.y);
    await page.mouse.wheel(0, -100);
    const near = await cam(true);
    expect(dist(near.target, after.target)).toBeGreaterThan(0.01 * dist(after.position, after.target));
    await page.close();
  });

  it('the-map-view-went-blank-over-hills: twenty wheel steps into the map view keep buildings on the screen; home returns to the first view after a pan and a zoom, and again after another zoom', async () => {
    const page = await open();
    await page.click('#toggle');
    await settle(page);
    // the map's own first view (the switch brought the model view's camera)
    await page.click('#home');
    await settle(page);
    const first = await page.evaluate(() => (window as any).cityforge.nav());
    // a pan first (home used to ignore it), then the zoom
    await page.mouse.move(480, 420);
    await page.mouse.down();
    await page.mouse.move(380, 380, { steps: 5 });
    await page.mouse.up();
    await page.mouse.move(480, 420);
    for (let k = 0; k < 20; k++) {
      await page.mouse.wheel(0, -240);
      await page.waitForTimeout(60);
    }
    await settle(page);
    const shot = await page.screenshot({ path: path.join(dir, 'map-zoomed.png'), clip: { x: 0, y: 0, width: 960, height: 800 } });
    expect(pixelStats(shot).building).toBeGreaterThan(0.05);
    expect((await page.evaluate(() => (window as any).cityforge.nav())).metresPerPixel).toBeLessThan(first.metresPerPixel / 8);
    await page.click('#home');
    await page.waitForFunction((m) => Math.abs((window as any).cityforge.nav().metresPerPixel / m - 1) < 0.02, first.metresPerPixel, { timeout: 10_000 });
    expect(pixelStats(await page.screenshot({ clip: { x: 0, y: 0, width: 960, height: 800 } })).drawn).toBeGreaterThan(0.2);
    // and again: a zoom after home, then home (the same view asked for twice)
    await page.mouse.move(480, 420);
    for (let k = 0; k < 5; k++) await page.mouse.wheel(0, -240);
    await page.waitForFunction((m) => (window as any).cityforge.nav().metresPerPixel < m / 2, first.metresPerPixel, { timeout: 10_000 });
    await page.click('#home');
    await page.waitForFunction((m) => Math.abs((window as any).cityforge.nav().metresPerPixel / m - 1) < 0.02, first.metresPerPixel, { timeout: 10_000 });
    await page.close();
  });

  it('hover-was-slow: hovering across the city highlights building after building; the JS time per hover change is measured (test-output/viewer-navigation/hover.json, bench/RESULTS.md)', async () => {
    const page = await open();
    const sweep = async () => {
      for (let k = 0; k < 14; k++) {
        await page.mouse.move(150 + 48 * k, 350 + 10 * k);
        await page.waitForTimeout(20);
      }
    };
    await sweep();
    const model = await page.evaluate(() => (window as any).cityforge.hoverTimes.slice());
    await page.click('#toggle');
    await settle(page);
    await page.evaluate(() => ((window as any).cityforge.hoverTimes.length = 0));
    await sweep();
    const map = await page.evaluate(() => (window as any).cityforge.hoverTimes.slice());
    expect(model.length).toBeGreaterThan(5);
    expect(map.length).toBeGreaterThan(5);
    const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
    fs.writeFileSync(path.join(dir, 'hover.json'), JSON.stringify({ buildings: 2123, model: { changes: model.length, medianMs: med(model), maxMs: Math.max(...model) }, map: { changes: map.length, medianMs: med(map), maxMs: Math.max(...map) } }, null, 1));
    await page.close();
  });

  it('legend-widened-the-panel: on a short window, with a building selected and an entry hidden, the legend stays inside the panel (no sideways scrolling)', async () => {
    // Monaco: its legend has the long entry of the default heights, and wide ones (80–100 m)
    const glb = path.join(dir, 'monaco.glb');
    expect(cli(['build', path.join(DATA, 'monaco.osm.pbf'), '-o', glb, '-q']).code).toBe(0);
    const monaco = await startViewer(glb);
    const page = await browser.newPage({ viewport: { width: 1280, height: 560 } });
    await page.goto(monaco.url);
    await page.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120_000 });
    await page.selectOption('#colour-by', 'height');
    const find = async () => {
      await page.fill('#search-input', 'Hôtel de Paris');
      await page.press('#search-input', 'Enter');
      await page.waitForFunction(() => (window as any).cityforge.selected !== null);
    };
    await find();
    // an entry hidden that is not the selected building's (hiding its own lets it go: hidden-selection-stayed-lit)
    const entries = page.locator('#legend li button');
    for (let k = (await entries.count()) - 1; k >= 0; k--) {
      await entries.nth(k).click();
      if (await page.evaluate(() => (window as any).cityforge.selected !== null)) break;
      await entries.nth(k).click();
      await find();
    }
    expect(await page.evaluate(() => (window as any).cityforge.selected)).not.toBeNull();
    const fit = await page.evaluate(() => {
      const p = document.getElementById('panel')!;
      const r = p.getBoundingClientRect();
      const buttons = [...document.querySelectorAll('#legend button')].map((b) => b.getBoundingClientRect());
      return { scrolls: p.scrollHeight > p.clientHeight, sideways: p.scrollWidth - p.clientWidth, inside: buttons.every((b) => b.left >= r.left && b.right <= r.right) };
    });
    // (the panel scrolls up and down here: what squeezed the legend)
    expect(fit.scrolls).toBe(true);
    expect(fit.sideways).toBeLessThanOrEqual(0);
    expect(fit.inside).toBe(true);
    await page.screenshot({ path: path.join(dir, 'legend-short-window.png') });
    await page.close();
    monaco.server.kill('SIGTERM');
  });

  it('colour by height: the legend\'s colours are in the pixels of both views (the same palette), and back to materials', async () => {
    const page = await open();
    const plain = await page.screenshot({ clip: { x: 0, y: 0, width: 940, height: 800 } });
    await page.selectOption('#colour-by', 'height');
    const styling = await page.evaluate(() => (window as any).cityforge.styling);
    expect(styling.column).toBe('height');
    expect(await page.locator('#legend li').count()).toBe(styling.legend.length);
    const viridisEnds = [styling.legend[0].colour, styling.legend[styling.legend.length - 1].colour].map((c: number[]) => c.map((v) => 255 * v));
    const model = await page.screenshot({ path: path.join(dir, 'colour-by-height.png'), clip: { x: 0, y: 0, width: 940, height: 800 } });
    for (const c of viridisEnds) expect(near(model, c)).toBeGreaterThan(near(plain, c) + 0.0001);
    await page.click('#toggle');
    await settle(page);
    const map = await page.screenshot({ path: path.join(dir, 'colour-by-height-map.png'), clip: { x: 0, y: 0, width: 940, height: 800 } });
    // (the first view shows the whole city since first-view-cropped: the tallest bin is a few hundred pixels)
    for (const c of viridisEnds) expect(near(map, c)).toBeGreaterThan(0.0001);
    // png-lost-the-legend: Save PNG writes the legend into the picture, top left: every entry's swatch in
    // its exact colour (the buildings' own colours are shaded)
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#shot')]);
    const file = path.join(dir, `legend-${download.suggestedFilename()}`);
    await download.saveAs(file);
    const png = PNG.sync.read(fs.readFileSync(file));
    // (the picture has the canvas's own pixels: TEST_SCALE of the page's width, the legend drawn to match)
    const k = png.width / 1280;
    expect(Math.abs(k - TEST_SCALE)).toBeLessThan(0.002);
    for (const { colour } of styling.legend as { colour: number[] }[]) {
      const want = colour.map((v) => Math.round(255 * v));
      let n = 0;
      for (let y = 0; y < 260 * k; y++)
        for (let x = 0; x < 260 * k; x++) {
          const i = 4 * (y * png.width + x);
          if (Math.abs(png.data[i] - want[0]) <= 1 && Math.abs(png.data[i + 1] - want[1]) <= 1 && Math.abs(png.data[i + 2] - want[2]) <= 1) n++;
        }
      expect(n, `legend swatch rgb(${want}) in the picture`).toBeGreaterThanOrEqual(100 * k * k);
    }
    await page.click('#toggle');
    await page.selectOption('#colour-by', '');
    expect(await page.isHidden('#legend')).toBe(true);
    const back = await page.screenshot({ clip: { x: 0, y: 0, width: 940, height: 800 } });
    for (const c of viridisEnds) expect(near(back, c)).toBeLessThan(near(model, c));
    await page.close();
  });

  it('the legend filters: its entries hide their buildings in both views (drawn and picked), one back shows its share', async () => {
    const page = await open();
    const tallest = await tallestOf(page);
    const pos = await page.evaluate((id) => (window as any).cityforge.screenPositionOf(id), tallest);
    await page.selectOption('#colour-by', 'height');
    const rows = await page.evaluate(() => (window as any).cityforge.model.rows);
    const entries = page.locator('#legend button');
    const n = await entries.count();
    // (round steps: 2 m over this tile's 3–14 m)
    expect(await page.textContent('#legend')).toContain('10–11 m');
    expect(n).toBe(6);
    for (let k = 0; k < n; k++) await entries.nth(k).click();
    expect(await page.evaluate(() => (window as any).cityforge.visibleCount)).toBe(0);
    expect(await page.textContent('#shown')).toBe(`0 of ${rows.toLocaleString('en-US')} shown.`);
    // nothing drawn (no pixel of the ramp's saturated colours; the ground and sky are greys), nothing picked
    const saturated = (png: Buffer) => {
      const img = PNG.sync.read(png);
      let k = 0;
      for (let i = 0; i < img.data.length; i += 4) if (Math.max(img.data[i], img.data[i + 1], img.data[i + 2]) - Math.min(img.data[i], img.data[i + 1], img.data[i + 2]) > 60) k++;
      return k / (img.width * img.height);
    };
    expect(saturated(await page.screenshot({ path: path.join(dir, 'filtered-none.png'), clip: { x: 0, y: 60, width: 940, height: 680 } }))).toBeLessThan(0.001);
    await page.mouse.click(pos.x, pos.y);
    expect(await page.evaluate(() => (window as any).cityforge.selected)).toBeNull();
    // the tallest buildings' entry (≥ …) back: some shown, the tallest among them, pickable again
    await entries.nth(0).click();
    const some = await page.evaluate(() => (window as any).cityforge.visibleCount);
    expect(some).toBeGreaterThan(0);
    expect(some).toBeLessThan(rows / 2);
    await page.mouse.click(pos.x, pos.y);
    expect(await page.evaluate(() => (window as any).cityforge.selected)).toBe(tallest);
    const someShown = saturated(await page.screenshot({ clip: { x: 0, y: 60, width: 940, height: 680 } }));
    expect(someShown).toBeGreaterThan(0.001);
    // the map view draws the same filter: fewer building pixels than with every entry shown
    await page.click('#toggle');
    await settle(page);
    const filtered = saturated(await page.screenshot({ path: path.join(dir, 'filtered-map.png'), clip: { x: 0, y: 60, width: 940, height: 680 } }));
    expect(filtered).toBeGreaterThan(0.0005);
    await page.selectOption('#colour-by', ''); // (choosing again resets the filter)
    await page.selectOption('#colour-by', 'height');
    expect(await page.evaluate(() => (window as any).cityforge.visibleCount)).toBeNull();
    await settle(page);
    const all = saturated(await page.screenshot({ path: path.join(dir, 'unfiltered-map.png'), clip: { x: 0, y: 60, width: 940, height: 680 } }));
    expect(all).toBeGreaterThan(2 * filtered);
    // found-building-was-hidden: Find flew to an empty lot when the legend hid the building; now its entry
    // is shown again, and the panel says so
    await page.click('#toggle');
    await entries.nth(0).click();
    expect(await entries.nth(0).getAttribute('aria-pressed')).toBe('false');
    const tallestId = await page.evaluate((row) => String((window as any).cityforge.model.table.id[row]), tallest);
    await page.fill('#search-input', tallestId);
    await page.press('#search-input', 'Enter');
    expect(await page.evaluate(() => (window as any).cityforge.selected)).toBe(tallest);
    expect(await entries.nth(0).getAttribute('aria-pressed')).toBe('true');
    expect(await page.evaluate(() => (window as any).cityforge.visibleCount)).toBeNull();
    expect(await page.textContent('#search-result')).toMatch(/was hidden by the legend; its entry “.+” is shown again\.$/);
    // hidden-selection-stayed-lit: hiding the selected building's entry lets it go (its highlight and its
    // attributes stayed, the building gone)
    await entries.nth(0).click();
    expect(await entries.nth(0).getAttribute('aria-pressed')).toBe('false');
    expect(await page.evaluate(() => (window as any).cityforge.selected)).toBeNull();
    expect(await page.evaluate(() => (window as any).cityforge.selectedId)).toBeNull();
    await page.close();
  });

  it('shadows-redrawn-every-frame: an orbit draws no new shadow map; hiding every building with the legend draws one, and their shadows are gone from the hills', async () => {
    const page = await open();
    await settle(page);
    const counts = () => page.evaluate(() => (window as any).cityforge.frameCounts() as { model: number; shadows: number });
    const c0 = await counts();
    expect(c0.shadows).toBeGreaterThan(0);
    // an orbit: frames drawn, the shadow map kept (the sun and the buildings stood still)
    await page.mouse.move(640, 300);
    await page.mouse.down();
    for (let i = 1; i <= 6; i++) await page.mouse.move(640 + 25 * i, 300, { steps: 2 });
    await page.mouse.up();
    await settle(page);
    const c1 = await counts();
    expect(c1.model - c0.model).toBeGreaterThan(3);
    expect(c1.shadows).toBe(c0.shadows);
    // every building hidden: their shadows go with them
    await page.selectOption('#colour-by', 'height');
    const entries = page.locator('#legend button');
    for (let k = 0, n = await entries.count(); k < n; k++) await entries.nth(k).click();
    await settle(page);
    expect((await counts()).shadows).toBeGreaterThan(c1.shadows);
    // no building shadow left on the hills: the ground alone is smooth, a shadow's edge is a step of luma
    // (a stale shadow map left 12 % of the view on such edges; the terrain's outline against the sky is 0.3 %)
    const img = PNG.sync.read(await page.screenshot({ path: path.join(dir, 'hidden-shadows.png'), clip: { x: 0, y: 60, width: 940, height: 680 } }));
    const luma = (k: number) => 0.299 * img.data[4 * k] + 0.587 * img.data[4 * k + 1] + 0.114 * img.data[4 * k + 2];
    let edges = 0;
    for (let y = 0; y < img.height; y++) for (let x = 0; x + 3 < img.width; x++) if (Math.abs(luma(y * img.width + x) - luma(y * img.width + x + 3)) > 20) edges++;
    expect(edges / (img.width * img.height)).toBeLessThan(0.01);
    await page.close();
  });

  it('link-lost-colour-by: the address keeps the colouring and the legend\'s hidden entries; a fresh page on it shows the same', async () => {
    const page = await open();
    await page.selectOption('#colour-by', 'height');
    await page.locator('#legend button').nth(1).click();
    await page.locator('#legend button').nth(3).click();
    const count = await page.evaluate(() => (window as any).cityforge.visibleCount);
    await page.waitForFunction(() => /by=height/.test(location.hash) && /hide=1%2C3|hide=1,3/.test(location.hash));
    const p2 = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await p2.goto(page.url());
    await p2.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120_000 });
    expect(await p2.evaluate(() => (window as any).cityforge.styling?.column)).toBe('height');
    expect(await p2.inputValue('#colour-by')).toBe('height');
    expect(await p2.evaluate(() => (window as any).cityforge.visibleCount)).toBe(count);
    expect(await p2.locator('#legend button[aria-pressed="false"]').evaluateAll((bs) => bs.map((b) => (b as HTMLElement).dataset.bin))).toEqual(['1', '3']);
    // a hand-edited address with an unknown column or bin is ignored, not an error
    const p3 = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    p3.on('pageerror', (e) => errors.push(String(e)));
    await p3.goto(page.url().replace(/#.*/, '#by=nosuch&hide=9,x'));
    await p3.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120_000 });
    expect(await p3.evaluate(() => (window as any).cityforge.styling ?? null)).toBeNull();
    expect(errors).toEqual([]);
    await Promise.all([p2.close(), p3.close(), page.close()]);
  });

  it('link-ignored-once-open: a link pasted into the open page\'s address bar moves the camera, selects its building, colours as it says; back to the first link clears them', async () => {
    const page = await open();
    const row = 100;
    const id = await page.evaluate((r) => String((window as any).cityforge.model.table.id[r]), row);
    // a link made on another page: found by search there, coloured by height, in the map view
    const other = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await other.goto(url);
    await other.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120_000 });
    await other.fill('#search-input', id);
    await other.press('#search-input', 'Enter');
    await other.selectOption('#colour-by', 'height');
    await other.waitForFunction((i) => new URLSearchParams(location.hash.slice(1)).get('b') === i && /by=height/.test(location.hash), id);
    const link = other.url();
    const wanted = await other.evaluate(() => (window as any).cityforge.cameraState());
    await other.close();
    const before = await page.evaluate(() => (window as any).cityforge.cameraState());
    // (the first view's own link)
    const first = `#cam=${[...before.position, ...before.target].join(',')}`;
    // as a person does it: the address changes, the page is not reloaded
    await page.evaluate((h) => {
      (window as any).notReloaded = true;
      location.hash = h;
    }, new URL(link).hash);
    await page.waitForFunction((i) => (window as any).cityforge.selectedId === i, id, { timeout: 10_000 });
    expect(await page.evaluate(() => (window as any).notReloaded)).toBe(true);
    const moved = await page.evaluate(() => (window as any).cityforge.cameraState());
    moved.position.forEach((v: number, k: number) => expect(Math.abs(v - wanted.position[k])).toBeLessThan(0.2));
    expect(Math.hypot(...moved.position.map((v: number, k: number) => v - before.position[k]))).toBeGreaterThan(10);
    expect(await page.textContent('#selection [data-key="id"]')).toBe(id);
    expect(await page.inputValue('#colour-by')).toBe('height');
    // and back: the first link has no building and no colouring
    await page.evaluate((h) => (location.hash = h), first);
    await page.waitForFunction(() => (window as any).cityforge.selectedId === null, null, { timeout: 10_000 });
    expect(await page.inputValue('#colour-by')).toBe('');
    const back = await page.evaluate(() => (window as any).cityforge.cameraState());
    back.position.forEach((v: number, k: number) => expect(Math.abs(v - before.position[k])).toBeLessThan(0.2));
    await page.close();
  });

  it('search by id → fly-to → selected; the address keeps camera and selection, and a fresh page on that address shows the same; Save PNG downloads the view', async () => {
    const page = await open();
    const target = await page.evaluate(() => {
      const t = (window as any).cityforge.model.table;
      return { id: String(t.id[100]), row: 100 };
    });
    const before = await page.evaluate(() => (window as any).cityforge.cameraState());
    await page.fill('#search-input', target.id);
    await page.press('#search-input', 'Enter');
    expect(await page.evaluate(() => (window as any).cityforge.selected)).toBe(target.row);
    expect(await page.textContent('#selection [data-key="id"]')).toBe(target.id);
    const after = await page.evaluate(() => (window as any).cityforge.cameraState());
    expect(after.position).not.toEqual(before.position);
    // the building is in view, near the middle
    const pos = await page.evaluate((id) => (window as any).cityforge.screenPositionOf(id), target.row);
    expect(Math.abs(pos.x - 640)).toBeLessThan(200);
    expect(Math.abs(pos.y - 400)).toBeLessThan(200);
    // a query that matches nothing says so
    await page.fill('#search-input', 'no such building zzz');
    await page.press('#search-input', 'Enter');
    expect(await page.textContent('#search-result')).toContain('No building matches');
    // the address: a new page opened on it has the same camera and selection (link-test-read-the-address-too-soon:
    // the address follows a change after its debounce; waited for, not read at once)
    await settle(page);
    await page.waitForFunction(() => /[#&?]b=/.test(location.href) && /cam=/.test(location.href), null, { timeout: 20_000 });
    const link = page.url();
    expect(link).toContain('b=');
    expect(link).toContain('cam=');
    const p2 = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await p2.goto(link);
    await p2.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120_000 });
    expect(await p2.evaluate(() => (window as any).cityforge.selectedId)).toBe(target.id);
    const restored = await p2.evaluate(() => (window as any).cityforge.cameraState());
    restored.position.forEach((v: number, k: number) => expect(Math.abs(v - after.position[k])).toBeLessThan(0.2));
    // search-partial-match-was-silent: a part of an id finds a building and says it was not exact
    await p2.fill('#search-input', target.id.slice(1));
    await p2.press('#search-input', 'Enter');
    expect(await p2.textContent('#search-result')).toMatch(/^No exact match; /);
    expect(await p2.evaluate(() => (window as any).cityforge.selected)).not.toBeNull();
    const [download] = await Promise.all([p2.waitForEvent('download'), p2.click('#shot')]);
    expect(download.suggestedFilename()).toMatch(/\.png$/);
    const file = path.join(dir, download.suggestedFilename());
    await download.saveAs(file);
    const png = PNG.sync.read(fs.readFileSync(file));
    expect(png.width).toBeGreaterThanOrEqual(Math.floor(1280 * TEST_SCALE));
    // png-lacked-attribution: the data's credit is written into the picture, bottom right: a light box
    // with dark text where the city's sky would be
    expect(await p2.textContent('#attribution')).toMatch(/OpenStreetMap/);
    // (in the picture's pixels: TEST_SCALE of the page's)
    const k = png.width / 1280;
    let light = 0, dark = 0;
    // (attribution-test-counted-the-picture: the region reached past the box into the picture, whose dark
    // ground passed for the text; now the box's own rows, 11 px of text and its padding, at the right)
    for (let y = png.height - Math.round(17 * k); y < png.height; y++)
      for (let x = png.width - Math.round(150 * k); x < png.width; x++) {
        const i = 4 * (y * png.width + x);
        const v = (png.data[i] + png.data[i + 1] + png.data[i + 2]) / 3;
        if (v >= 200) light++; // the box: 80 % white over the picture
        if (v < 170) dark++; // its text (#223, a few pixels high at the tests' scale)
      }
    expect(light).toBeGreaterThan(800 * k * k);
    expect(dark).toBeGreaterThan(120 * k * k);
    await p2.close();
    // search-flew-too-close: the tallest building found by its id is seen whole, not filling the screen
    const tallest = await page.evaluate(() => {
      const t = (window as any).cityforge.model.table;
      let best = 0;
      for (let i = 0; i < t.height.length; i++) if ((t.height[i] ?? 0) > (t.height[best] ?? 0)) best = i;
      return String(t.id[best]);
    });
    await page.fill('#search-input', tallest);
    await page.press('#search-input', 'Enter');
    await settle(page);
    const seen = pixelStats(await page.screenshot({ clip: { x: 0, y: 0, width: 940, height: 800 } })).highlight / (940 * 800);
    expect(seen).toBeGreaterThan(0.002);
    expect(seen).toBeLessThan(0.2);
    // found-building-behind-the-panel: it stands in the middle of the part of the view the panel leaves free
    const free = await page.evaluate((id) => {
      const cf = (window as any).cityforge;
      const row = (cf.model.table.id as unknown[]).findIndex((v) => String(v) === id);
      return { at: cf.screenPositionOf(row), left: document.getElementById('panel')!.getBoundingClientRect().left };
    }, tallest);
    expect(Math.abs(free.at.x - free.left / 2)).toBeLessThan(0.08 * free.left);
    await page.close();
  });

  it('view-switch-lost-the-camera: the map view looks from where the model view did, and back; map-view-had-no-link: a link made in the map view opens in it', async () => {
    const page = await open();
    const row = 100;
    await page.fill('#search-input', await page.evaluate((r) => String((window as any).cityforge.model.table.id[r]), row));
    await page.press('#search-input', 'Enter');
    const inModel = await page.evaluate((r) => (window as any).cityforge.screenPositionOf(r), row);
    const camModel = await page.evaluate(() => (window as any).cityforge.cameraState());
    await page.click('#toggle');
    await page.waitForFunction('window.cityforge.view === "map"');
    // the searched building stays where it was on the screen (the map's home would frame the whole city)
    const inMap = await page.evaluate((r) => (window as any).cityforge.screenPositionOf(r), row);
    expect(Math.hypot(inMap.x - inModel.x, inMap.y - inModel.y)).toBeLessThan(40);
    await page.waitForFunction(() => /view=map/.test(location.hash));
    const link = page.url();
    await page.click('#toggle');
    await page.waitForFunction('window.cityforge.view === "model"');
    const camBack = await page.evaluate(() => (window as any).cityforge.cameraState());
    const dist = (c: { position: number[]; target: number[] }) => Math.hypot(...c.position.map((v, k) => v - c.target[k]));
    expect(Math.abs(dist(camBack) / dist(camModel) - 1)).toBeLessThan(0.02);
    expect(Math.abs(camBack.polarDegrees - camModel.polarDegrees)).toBeLessThan(0.5);
    const p2 = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await p2.goto(link);
    await p2.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120_000 });
    expect(await p2.evaluate(() => (window as any).cityforge.view)).toBe('map');
    const inLinked = await p2.evaluate((r) => (window as any).cityforge.screenPositionOf(r), row);
    expect(Math.hypot(inLinked.x - inMap.x, inLinked.y - inMap.y)).toBeLessThan(40);
    await p2.close();
    await page.close();
  });

  it('plain-edge-in-view / city-fogged-when-zoomed-out: zoomed out as far as it goes, the plain reaches the horizon and the city keeps its contrast', async () => {
    const page = await open();
    const contrast = async () => {
      // the luma's spread over a box around the city's middle (buildings against the ground)
      const c = await page.evaluate(() => {
        const cf = (window as any).cityforge;
        const ps = [];
        for (let id = 0; id < cf.model.rows; id += 7) ps.push(cf.screenPositionOf(id));
        const ok = ps.filter(Boolean);
        return { x: ok.reduce((a: number, p: any) => a + p.x, 0) / ok.length, y: ok.reduce((a: number, p: any) => a + p.y, 0) / ok.length };
      });
      const img = PNG.sync.read(await page.screenshot({ clip: { x: Math.round(c.x) - 30, y: Math.round(c.y) - 30, width: 60, height: 60 } }));
      let s = 0, s2 = 0;
      for (let i = 0; i < img.data.length; i += 4) {
        const l = 0.3 * img.data[i] + 0.59 * img.data[i + 1] + 0.11 * img.data[i + 2];
        s += l;
        s2 += l * l;
      }
      const n = img.data.length / 4;
      return Math.sqrt(s2 / n - (s / n) ** 2);
    };
    const close = await contrast();
    await page.mouse.move(400, 450);
    for (let k = 0; k < 30; k++) await page.mouse.wheel(0, 400);
    await settle(page);
    const far = await contrast();
    const shot = PNG.sync.read(await page.screenshot({ path: path.join(dir, 'zoomed-out.png') }));
    // below the horizon line (the lower half of the view) no sky: the plain's edge is not in view
    let sky = 0, total = 0;
    for (let y = 400; y < shot.height; y++)
      for (let x = 0; x < 900; x++) {
        const i = 4 * (y * shot.width + x);
        total++;
        if (Math.abs(shot.data[i] - 0xdf) + Math.abs(shot.data[i + 1] - 0xe6) + Math.abs(shot.data[i + 2] - 0xee) <= 12) sky++;
      }
    expect(sky / total).toBeLessThan(0.01);
    expect(far).toBeGreaterThan(0.5 * close);
    await page.close();
  });

  it('double-click flies closer to what is under the pointer; the arrow keys pan', async () => {
    const page = await open();
    const dist = (s: { position: number[] }, t: number[]) => Math.hypot(s.position[0] - t[0], s.position[1] - t[1], s.position[2] - t[2]);
    // double-click-on-the-plain-did-nothing: off the city (the first view's bottom-left corner), the plain is
    // where it goes
    const p0 = await page.evaluate(() => (window as any).cityforge.cameraState());
    await page.mouse.dblclick(30, 690);
    const p1 = await page.evaluate(() => (window as any).cityforge.cameraState());
    expect(p1.target).not.toEqual(p0.target);
    expect(dist(p1, p1.target)).toBeLessThan(dist(p0, p0.target) * 0.75);
    await page.click('#home');
    const s0 = await page.evaluate(() => (window as any).cityforge.cameraState());
    await page.mouse.dblclick(480, 420);
    const s1 = await page.evaluate(() => (window as any).cityforge.cameraState());
    expect(s1.target).not.toEqual(s0.target);
    expect(dist(s1, s1.target)).toBeLessThan(dist(s0, s0.target) * 0.75);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowLeft');
    const s2 = await page.evaluate(() => (window as any).cityforge.cameraState());
    expect(s2.position).not.toEqual(s1.position);
    expect(s2.polarDegrees).toBeCloseTo(s1.polarDegrees, 3); // panning, not orbiting
    // double-click-flew-into-the-ground: double-clicks go on halving down to a street's width (25 m), no closer
    for (let k = 0; k < 8; k++) await page.mouse.dblclick(480, 420);
    const s3 = await page.evaluate(() => (window as any).cityforge.cameraState());
    expect(dist(s3, s3.target)).toBeGreaterThan(24.9);
    expect(dist(s3, s3.target)).toBeLessThan(26);
    await page.click('#home');
    // map-double-click-did-nothing: in the map view too, a double-click comes twice as close
    await page.click('#toggle');
    await page.waitForFunction('window.cityforge.view === "map" && window.cityforge.nav()');
    const m0 = await page.evaluate(() => (window as any).cityforge.nav().metresPerPixel);
    await page.mouse.dblclick(480, 420);
    await page.waitForFunction((m) => (window as any).cityforge.nav().metresPerPixel < 0.6 * m, m0, { timeout: 10_000 });
    await page.close();
  });

  it('small screens (390 × 844): the panel starts folded behind a touch-sized button and unfolds; the city fills the screen', async () => {
    const page = await open(390, 844);
    const panel = await page.locator('#panel').boundingBox();
    expect(panel!.width).toBeLessThan(390 * 0.55);
    const btn = await page.locator('#collapse').boundingBox();
    expect(btn!.height).toBeGreaterThanOrEqual(44);
    expect(await page.isHidden('#selection')).toBe(true);
    const shot = await page.screenshot();
    expect(pixelStats(shot).building).toBeGreaterThan(0.02);
    await page.screenshot({ path: path.join(dir, 'phone-folded.png') });
    // phone-first-view-cropped: the whole city fits across the narrow screen (every 40th building's roof on it)
    const xs = await page.evaluate(() => {
      const c = (window as any).cityforge;
      const out: number[] = [];
      for (let id = 0; id < c.model.rows; id += 40) {
        const p = c.screenPositionOf(id);
        if (p) out.push(p.x);
      }
      return out;
    });
    expect(xs.length).toBeGreaterThan(20);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThanOrEqual(390);
    // phone-attribution-hidden: with the panel folded, the data's credit stands over the city
    expect(await page.isVisible('#credit')).toBe(true);
    expect(await page.textContent('#credit')).toMatch(/OpenStreetMap/);
    // tap-had-no-feedback: with the panel folded, a tap on a building names it where it was tapped, on screen
    let tapped = false;
    for (let k = 0; k < 30 && !tapped; k++) {
      await page.mouse.click(60 + ((k * 67) % 270), 300 + ((k * 89) % 400));
      tapped = (await page.evaluate(() => (window as any).cityforge.selected)) !== null;
    }
    expect(tapped).toBe(true);
    const tip = await page.locator('#tooltip').boundingBox();
    expect(tip).not.toBeNull();
    expect(tip!.x).toBeGreaterThanOrEqual(0);
    expect(tip!.x + tip!.width).toBeLessThanOrEqual(390);
    const name = await page.evaluate(() => { const c = (window as any).cityforge; return String(c.model.table.name?.[c.selected] || c.selectedId); });
    expect(await page.textContent('#tooltip')).toContain(name);
    await page.click('#collapse');
    expect(await page.isVisible('#selection')).toBe(true);
    // tooltip-over-the-panel: unfolded, the panel names the building; the tap's tooltip no longer covers its rows
    expect(await page.isVisible('#tooltip')).toBe(false);
    expect(await page.isVisible('#credit')).toBe(false);
    await page.screenshot({ path: path.join(dir, 'phone-open.png') });
    // credit-scrolled-off: with the panel open, its foot keeps the data's credit in view (the attributes scroll)
    const foot = await page.locator('#attribution').boundingBox();
    const shown = await page.locator('#panel').boundingBox();
    expect(await page.textContent('#attribution')).toMatch(/OpenStreetMap/);
    expect(foot!.y + foot!.height).toBeLessThanOrEqual(shown!.y + shown!.height + 1);
    expect(foot!.y).toBeGreaterThanOrEqual(shown!.y);
    // save-png-cut-off: the Save PNG button whole, inside the panel, beside the credit
    const save = await page.locator('#shot').boundingBox();
    expect(save!.x + save!.width).toBeLessThanOrEqual(shown!.x + shown!.width);
    expect(await page.evaluate(() => { const b = document.getElementById('shot')!; return b.scrollWidth <= b.clientWidth; })).toBe(true);
    const open2 = await page.locator('#panel').boundingBox();
    expect(open2!.width).toBeLessThanOrEqual(240);
    // map-view-button-wrapped: the header's buttons each on one line, inside the panel
    const toggle = await page.locator('#toggle').boundingBox();
    expect(await page.evaluate(() => { const r = document.createRange(); r.selectNodeContents(document.getElementById('toggle')!); return r.getClientRects().length; })).toBe(1);
    expect(toggle!.x + toggle!.width).toBeLessThanOrEqual(open2!.x + open2!.width);
    // panel-header-scrolled-away: on a short screen the attributes scroll under the header, whose buttons stay
    await page.setViewportSize({ width: 390, height: 560 });
    const scrolls = await page.evaluate(() => {
      const el = document.getElementById('panel')!;
      el.scrollTop = el.scrollHeight;
      return { scrolled: el.scrollTop, top: el.getBoundingClientRect().top };
    });
    expect(scrolls.scrolled).toBeGreaterThan(40);
    const fold = await page.locator('#collapse').boundingBox();
    expect(fold!.y).toBeGreaterThanOrEqual(scrolls.top);
    expect(fold!.y).toBeLessThan(scrolls.top + 20);
    expect(await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.id, [fold!.x + fold!.width / 2, fold!.y + fold!.height / 2])).toBe('collapse');
    await page.setViewportSize({ width: 390, height: 844 });
    // (phone-search-tooltip-off-by-the-resize, a flake: the window's resize event reached the view after the
    // search had placed the tooltip, moving the building 130 px from it; resize events fire before the
    // next frame's callbacks)
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    // search-target-behind-panel: a search from the open panel flies to the building, which stood under
    // the panel; the panel folds, and the tooltip names the building where it stands
    const target = await page.evaluate(() => String((window as any).cityforge.model.table.id[200]));
    await page.fill('#search-input', target);
    await page.press('#search-input', 'Enter');
    expect(await page.evaluate(() => (window as any).cityforge.selectedId)).toBe(target);
    expect(await page.evaluate(() => document.getElementById('panel')!.classList.contains('collapsed'))).toBe(true);
    const at = await page.evaluate(() => (window as any).cityforge.screenPositionOf(200));
    const folded = await page.locator('#panel').boundingBox();
    expect(at.x).toBeGreaterThan(0);
    expect(at.x).toBeLessThan(390);
    expect(at.x < folded!.x || at.y > folded!.y + folded!.height).toBe(true);
    expect(await page.isVisible('#tooltip')).toBe(true);
    const tip2 = await page.locator('#tooltip').boundingBox();
    expect(Math.abs(tip2!.y - at.y)).toBeLessThan(80);
    await page.screenshot({ path: path.join(dir, 'phone-search.png') });
    // tap-tooltip-stayed-after-switching: the map view does not keep the model view's tooltip (what it named
    // stands elsewhere there)
    await page.click('#toggle');
    await page.waitForFunction('window.cityforge.view === "map"');
    expect(await page.isVisible('#tooltip')).toBe(false);
    await page.close();
  });
});
