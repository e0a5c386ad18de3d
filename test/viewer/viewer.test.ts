import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA, OUT, freshDir } from '../helpers/fixtures.js';
import { cli } from '../helpers/cli.js';
import { expectValidGlb } from '../helpers/glb.js';

const ROOT = path.join(import.meta.dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--enable-unsafe-swiftshader'];
const BACKGROUND = [0xdf, 0xe6, 0xee];

/** Share of pixels that differ from the background, and of warm-grey "building" pixels, in a PNG screenshot. */
function pixelStats(png: Buffer, region?: { x0: number; x1: number }): { drawn: number; building: number; highlight: number } {
  const img = PNG.sync.read(png);
  let drawn = 0, building = 0, highlight = 0, total = 0;
  for (let y = 0; y < img.height; y++)
    for (let x = region?.x0 ?? 0; x < (region?.x1 ?? img.width); x++) {
      const i = 4 * (y * img.width + x);
      const [r, g, b] = [img.data[i], img.data[i + 1], img.data[i + 2]];
      total++;
      if (Math.abs(r - BACKGROUND[0]) + Math.abs(g - BACKGROUND[1]) + Math.abs(b - BACKGROUND[2]) > 24) drawn++;
      // walls and roofs are warm greys (#e3ddd3 / #a39a8f, shaded): red above blue, not green-dominant like the terrain
      if (r >= b + 6 && r >= g - 2 && r > 60 && r < 250 && r - b < 60) building++;
      if (b > 120 && b - r > 110 && g > 90) highlight++; // the highlight's cyan (#19d3ff), lit or shaded
    }
  return { drawn: drawn / total, building: building / total, highlight };
}

/** The share of pixels near a colour (0–255) in hue: shading darkens faces, so value is not compared. */
function near(png: Buffer, [r, g, b]: number[]): number {
  const img = PNG.sync.read(png);
  let n = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    const p = [img.data[i], img.data[i + 1], img.data[i + 2]];
    const s = Math.max(...p) || 1;
    const t = Math.max(r, g, b) || 1;
    if (Math.abs(p[0] / s - r / t) + Math.abs(p[1] / s - g / t) + Math.abs(p[2] / s - b / t) < 0.15 && s > 20) n++;
  }
  return n / (img.width * img.height);
}

/**
 * Expect a coloured screenshot to be mostly the legend's colours (5 % of the picture more than `plain`), at
 * least three of them drawn; returns the colours (0–255) and the share of a picture in them.
 */
function expectLegendDrawn(legend: { colour: number[] }[], coloured: Buffer, plain: Buffer): { colours: number[][]; inLegend: (png: Buffer) => number } {
  const colours = legend.map((e) => e.colour.map((v) => 255 * v));
  const inLegend = (png: Buffer) => colours.reduce((a, c) => a + near(png, c), 0);
  expect(inLegend(coloured)).toBeGreaterThan(inLegend(plain) + 0.05);
  expect(colours.filter((c) => near(coloured, c) > near(plain, c) + 0.0002).length).toBeGreaterThanOrEqual(3);
  return { colours, inLegend };
}

/** Mean of `f(r, g, b)` over the pixels left of the panel (x < 960) unlike the top-left corner's colour (the background). */
function meanOverCity(png: Buffer, f: (r: number, g: number, b: number) => number): number {
  const img = PNG.sync.read(png);
  const bg = [img.data[0], img.data[1], img.data[2]];
  let s = 0, n = 0;
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < Math.min(960, img.width); x++) {
      const i = 4 * (y * img.width + x);
      const [r, g, b] = [img.data[i], img.data[i + 1], img.data[i + 2]];
      if (Math.abs(r - bg[0]) + Math.abs(g - bg[1]) + Math.abs(b - bg[2]) <= 24) continue;
      s += f(r, g, b);
      n++;
    }
  return s / n;
}

/** Mean chroma (max − min of R, G, B) of the city's pixels. */
const meanChroma = (png: Buffer) => meanOverCity(png, (r, g, b) => Math.max(r, g, b) - Math.min(r, g, b));

/** Mean luma (Rec. 709) of the city's pixels. */
const meanLuma = (png: Buffer) => meanOverCity(png, (r, g, b) => 0.2126 * r + 0.7152 * g + 0.0722 * b);

/** Serve `glb` with `cityforge view`, open it (1280 × 800) in Chromium once the city is ready, run `body`; close both after. */
async function withViewerPage(glb: string, body: (page: Page) => Promise<void>, args: string[] = []): Promise<void> {
  const { server, url } = await startViewer(glb, args);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url);
    await page.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120_000 });
    await body(page);
  } finally {
    await browser.close();
    server.kill('SIGTERM');
  }
}

/** Start `cityforge view <target> --port 0`; resolves with the process and the URL it prints. */
async function startViewer(target: string, args: string[] = []): Promise<{ server: ChildProcess; url: string }> {
  const server = spawn(process.execPath, [path.join(ROOT, 'bin', 'cityforge.js'), 'view', target, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d) => {
      out += d;
      const m = /cityforge view: (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`cityforge view exited with ${code}`)));
  });
  return { server, url };
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

  it('model view: a click on the tallest building shows its id and height in the panel, and highlights it', async () => {
    const pos = await page.evaluate((id) => (window as any).cityforge.screenPositionOf(id), tallest);
    expect(pos).not.toBeNull();
    await page.mouse.click(pos.x, pos.y);
    const row = await page.evaluate((id) => ({ id: (window as any).cityforge.model.table.id[id], height: (window as any).cityforge.model.table.height[id] }), tallest);
    expect(await page.evaluate(() => (window as any).cityforge.selected)).toBe(tallest);
    expect(await page.textContent('#selection [data-key="id"]')).toBe(row.id);
    // heights carry their unit
    expect(await page.textContent('#selection [data-key="height"]')).toBe(`${Number.isInteger(row.height) ? row.height : row.height.toFixed(2)} m`);
    const shot = await page.screenshot({ path: path.join(dir, 'model-view-picked.png') });
    expect(pixelStats(shot).highlight).toBeGreaterThan(20);
    // a click on empty sky clears the selection
    await page.mouse.click(5, 5);
    expect(await page.evaluate(() => (window as any).cityforge.selected)).toBeNull();
  });

  it('the toggle switches to the deck.gl map view, which draws the city and picks the same building', async () => {
    await page.click('#toggle');
    expect(await page.evaluate(() => (window as any).cityforge.view)).toBe('map');
    expect(await page.isVisible('#view-map canvas')).toBe(true);
    expect(await page.isHidden('#view-model')).toBe(true);
    await page.waitForTimeout(1500);
    const shot = await page.screenshot({ path: path.join(dir, 'map-view.png'), clip: { x: 0, y: 0, width: 960, height: 800 } });
    const s = pixelStats(shot);
    expect(s.drawn).toBeGreaterThan(0.2);
    expect(s.building).toBeGreaterThan(0.01);
    const pos = await page.evaluate((id) => (window as any).cityforge.screenPositionOf(id), tallest);
    await page.mouse.click(pos.x, pos.y);
    await page.waitForTimeout(300);
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

  async function open(width = 1280, height = 800): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(url);
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
    await page.waitForTimeout(300);
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
    expect(skyShare(0, 200)).toBeGreaterThan(0.5);
    expect(skyShare(600, 800)).toBeLessThan(0.2);
    // zoomed right in, still above the ground
    for (let k = 0; k < 14; k++) await page.mouse.wheel(0, -400);
    await page.waitForTimeout(300);
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
    expect(await page.textContent('#about')).toBe(`${await page.evaluate(() => (window as any).cityforge.model.rows.toLocaleString('en-US'))} buildings from 15-5238-12666.mvt#building · built by cityforge on ${built}`);
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
    await page.waitForTimeout(300);
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
    const cam = async () => {
      let last = '';
      await page.waitForFunction(() => {
        const c = new URLSearchParams(location.hash.slice(1)).get('cam') ?? '';
        const w = window as any;
        const same = c !== '' && c === w.__lastCam;
        w.__lastCam = c;
        return same;
      }, null, { polling: 400 });
      last = await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get('cam')!);
      const v = last.split(',').map(Number);
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
    const before = await cam();
    const d0 = dist(before.position, before.target);
    const up = [before.position[0] - before.target[0], before.position[1] - before.target[1], before.position[2] - before.target[2]];
    expect(Math.acos(up[1] / d0) * (180 / Math.PI)).toBeGreaterThan(70);
    await page.screenshot({ path: path.join(dir, 'map-tilted.png') });
    // three steps in with the pointer over the sky, near the top of the page
    await page.mouse.move(640, 30);
    for (let k = 0; k < 3; k++) await page.mouse.wheel(0, -100);
    const after = await cam();
    await page.screenshot({ path: path.join(dir, 'map-tilted-wheel.png') });
    // about the centre: the look-at point stays, the camera comes 1.2³ closer (it flew ~8 km before)
    expect(dist(after.target, before.target)).toBeLessThan(0.05 * d0);
    expect(dist(after.position, after.target)).toBeLessThan(d0 / 1.5);
    // over the city, the step still zooms towards the pointer: the look-at point moves towards it
    const tallest = await tallestOf(page);
    const at = await page.evaluate((i) => (window as any).cityforge.screenPositionOf(i), tallest);
    await page.mouse.move(at.x, at.y);
    await page.mouse.wheel(0, -100);
    const near = await cam();
    expect(dist(near.target, after.target)).toBeGreaterThan(0.01 * dist(after.position, after.target));
    await page.close();
  });

  it('the-map-view-went-blank-over-hills: twenty wheel steps into the map view keep buildings on the screen; home returns to the first view after a pan and a zoom, and again after another zoom', async () => {
    const page = await open();
    await page.click('#toggle');
    await page.waitForTimeout(1500);
    // the map's own first view (the switch brought the model view's camera)
    await page.click('#home');
    await page.waitForTimeout(500);
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
    await page.waitForTimeout(800);
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
    await page.waitForTimeout(1500);
    await page.evaluate(() => ((window as any).cityforge.hoverTimes.length = 0));
    await sweep();
    const map = await page.evaluate(() => (window as any).cityforge.hoverTimes.slice());
    expect(model.length).toBeGreaterThan(5);
    expect(map.length).toBeGreaterThan(5);
    const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
    fs.writeFileSync(path.join(dir, 'hover.json'), JSON.stringify({ buildings: 2123, model: { changes: model.length, medianMs: med(model), maxMs: Math.max(...model) }, map: { changes: map.length, medianMs: med(map), maxMs: Math.max(...map) } }, null, 1));
    await page.close();
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
    await page.waitForTimeout(1500);
    const map = await page.screenshot({ path: path.join(dir, 'colour-by-height-map.png'), clip: { x: 0, y: 0, width: 940, height: 800 } });
    // (the first view shows the whole city since first-view-cropped: the tallest bin is a few hundred pixels)
    for (const c of viridisEnds) expect(near(map, c)).toBeGreaterThan(0.0001);
    // png-lost-the-legend: Save PNG writes the legend into the picture, top left: every entry's swatch in
    // its exact colour (the buildings' own colours are shaded)
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#shot')]);
    const file = path.join(dir, `legend-${download.suggestedFilename()}`);
    await download.saveAs(file);
    const png = PNG.sync.read(fs.readFileSync(file));
    for (const { colour } of styling.legend as { colour: number[] }[]) {
      const want = colour.map((v) => Math.round(255 * v));
      let n = 0;
      for (let y = 0; y < 260; y++)
        for (let x = 0; x < 260; x++) {
          const i = 4 * (y * png.width + x);
          if (Math.abs(png.data[i] - want[0]) <= 1 && Math.abs(png.data[i + 1] - want[1]) <= 1 && Math.abs(png.data[i + 2] - want[2]) <= 1) n++;
        }
      expect(n, `legend swatch rgb(${want}) in the picture`).toBeGreaterThanOrEqual(100);
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
    expect(n).toBe(5);
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
    await page.waitForTimeout(1500);
    const filtered = saturated(await page.screenshot({ path: path.join(dir, 'filtered-map.png'), clip: { x: 0, y: 60, width: 940, height: 680 } }));
    expect(filtered).toBeGreaterThan(0.0005);
    await page.selectOption('#colour-by', ''); // (choosing again resets the filter)
    await page.selectOption('#colour-by', 'height');
    expect(await page.evaluate(() => (window as any).cityforge.visibleCount)).toBeNull();
    await page.waitForTimeout(800);
    const all = saturated(await page.screenshot({ path: path.join(dir, 'unfiltered-map.png'), clip: { x: 0, y: 60, width: 940, height: 680 } }));
    expect(all).toBeGreaterThan(2 * filtered);
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
    // the address: a new page opened on it has the same camera and selection
    await page.waitForTimeout(400);
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
    expect(png.width).toBeGreaterThan(500);
    // png-lacked-attribution: the data's credit is written into the picture, bottom right: a light box
    // with dark text where the city's sky would be
    expect(await p2.textContent('#attribution')).toMatch(/OpenStreetMap/);
    let light = 0, dark = 0;
    for (let y = png.height - 14; y < png.height; y++)
      for (let x = png.width - 120; x < png.width; x++) {
        const i = 4 * (y * png.width + x);
        const v = (png.data[i] + png.data[i + 1] + png.data[i + 2]) / 3;
        if (v >= 200) light++; // the box: 80 % white over the picture
        if (v < 110) dark++;
      }
    expect(light).toBeGreaterThan(300);
    expect(dark).toBeGreaterThan(30);
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
    await page.waitForTimeout(300);
    const seen = pixelStats(await page.screenshot({ clip: { x: 0, y: 0, width: 940, height: 800 } })).highlight / (940 * 800);
    expect(seen).toBeGreaterThan(0.002);
    expect(seen).toBeLessThan(0.2);
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

  it('double-click flies closer to what is under the pointer; the arrow keys pan', async () => {
    const page = await open();
    const dist = (s: { position: number[] }, t: number[]) => Math.hypot(s.position[0] - t[0], s.position[1] - t[1], s.position[2] - t[2]);
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
    expect(await page.isVisible('#credit')).toBe(false);
    await page.screenshot({ path: path.join(dir, 'phone-open.png') });
    const open2 = await page.locator('#panel').boundingBox();
    expect(open2!.width).toBeLessThanOrEqual(240);
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
    await page.close();
  });
});

describe('viewer panel on OSM data (Monaco)', () => {
  it('an OSM building\'s id links to the object on openstreetmap.org, heights carry units, hover shows a tooltip with its name or id; the building count is the build summary\'s', async () => {
    const dir = freshDir('viewer-osm');
    const glb = path.join(dir, 'monaco.glb');
    const built = cli(['build', path.join(DATA, 'monaco.osm.pbf'), '-o', glb, '--json']);
    expect(built.code, built.stderr).toBe(0);
    const summary = JSON.parse(built.stdout);
    expect(summary.partsWritten).toBeGreaterThan(0);
    await withViewerPage(glb, async (page) => {
      // the-building-count-differed-from-the-summary: buildings and their parts counted as the build counts them
      const n = (v: number) => v.toLocaleString('en-US');
      expect(await page.textContent('#stats')).toContain(`${n(summary.buildingsWritten - summary.partsWritten)} buildings (+${n(summary.partsWritten)} parts)`);
      expect(built.stderr).toContain(`${n(summary.buildingsWritten - summary.partsWritten)} buildings (and ${n(summary.partsWritten)} building parts) written`);
      // sweep the pointer over the city (left of the panel) until it rests on a building
      let pos = { x: 0, y: 0 };
      for (let k = 0; k < 60 && !(await page.evaluate(() => (window as any).cityforge.hoveredId)); k++) {
        pos = { x: 200 + ((k * 37) % 700), y: 250 + ((k * 53) % 400) };
        await page.mouse.move(pos.x, pos.y);
        await page.waitForTimeout(50);
      }
      const hoveredId = await page.evaluate(() => (window as any).cityforge.hoveredId);
      expect(hoveredId).toBeTruthy();
      await page.waitForFunction('!document.getElementById("tooltip").hidden', null, { timeout: 10_000 });
      const row = await page.evaluate((id) => {
        const t = (window as any).cityforge.model.table;
        const i = t.id.indexOf(id);
        return { id: t.id[i], name: t.name?.[i] };
      }, hoveredId);
      expect(await page.textContent('#tooltip')).toContain(row.name || row.id);
      await page.mouse.click(pos.x, pos.y);
      expect(await page.evaluate(() => (window as any).cityforge.selectedId)).toBe(row.id);
      const href = await page.getAttribute('#selection [data-key="id"] a', 'href');
      const m = /^([nwr])(\d+)$/.exec(row.id)!;
      expect(href).toBe(`https://www.openstreetmap.org/${{ n: 'node', w: 'way', r: 'relation' }[m[1] as 'n']}/${m[2]}`);
      expect(await page.textContent('#selection [data-key="height"]')).toMatch(/ m$/);
    });
  });
});

/**
 * A tile server as a base-map provider runs one, on a free port: a MapLibre style (a background and a
 * raster layer of the sample OpenStreetMap tiles, z12) and the tiles, with CORS headers. Every request
 * path is recorded.
 */
async function startTileServer(): Promise<{ server: http.Server; base: string; requests: string[] }> {
  const requests: string[] = [];
  let base = '';
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push(url);
    const cors = { 'access-control-allow-origin': '*' };
    if (url === '/style.json') {
      res.writeHead(200, { ...cors, 'content-type': 'application/json' });
      return res.end(JSON.stringify({
        version: 8,
        sources: { osm: { type: 'raster', tiles: [`${base}/tiles/{z}/{x}/{y}.png`], tileSize: 256, minzoom: 12, maxzoom: 12, attribution: '© OpenStreetMap contributors (test tiles)' } },
        layers: [{ id: 'paper', type: 'background', paint: { 'background-color': '#f2efe9' } }, { id: 'osm', type: 'raster', source: 'osm' }],
      }));
    }
    const m = /^\/tiles\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(url);
    const file = m && path.join(DATA, 'sf-osm-raster-z12', m[1], m[2], `${m[3]}.png`);
    if (!file || !fs.existsSync(file)) {
      res.writeHead(404, cors);
      return res.end();
    }
    res.writeHead(200, { ...cors, 'content-type': 'image/png' });
    res.end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { server, base, requests };
}

describe('viewer: contact shading (walls darken towards their foot, so blocks read as standing buildings)', () => {
  it('blocks-looked-like-flat-boxes: the shading only darkens, and only the walls\' lowest metres (switched off, those pixels are lighter)', async () => {
    const dir = freshDir('viewer-contact');
    const city = path.join(dir, 'city.geojson');
    // three 30 m towers in a row, seen from the side by the first view
    const box = (x: number) => [[[x, 37.76], [x + 0.0003, 37.76], [x + 0.0003, 37.7603], [x, 37.7603], [x, 37.76]]];
    fs.writeFileSync(city, JSON.stringify({ type: 'FeatureCollection', features: [-122.45, -122.4494, -122.4488].map((x, i) => ({ type: 'Feature', properties: { id: `t${i}`, height: 30 }, geometry: { type: 'Polygon', coordinates: box(x) } })) }));
    const glb = path.join(dir, 'city.glb');
    const built = cli(['build', city, '-o', glb, '-q']);
    expect(built.code, built.stderr).toBe(0);
    await withViewerPage(glb, async (page) => {
      await page.mouse.move(5, 795);
      const clip = { x: 0, y: 0, width: 960, height: 800 };
      const shaded = PNG.sync.read(await page.screenshot({ clip }));
      await page.evaluate(() => (window as any).cityforge.setContactShading(false));
      const plain = PNG.sync.read(await page.screenshot({ clip }));
      await page.evaluate(() => (window as any).cityforge.setContactShading(true));
      fs.writeFileSync(path.join(dir, 'shaded.png'), PNG.sync.write(shaded));
      fs.writeFileSync(path.join(dir, 'plain.png'), PNG.sync.write(plain));
      // per pixel: lighter with the shading (beyond rounding) never, darker on the walls' feet
      let darker = 0, lighter = 0, drawn = 0;
      for (let i = 0; i < shaded.data.length; i += 4) {
        const a = shaded.data[i] + shaded.data[i + 1] + shaded.data[i + 2], b = plain.data[i] + plain.data[i + 1] + plain.data[i + 2];
        if (Math.abs(plain.data[i] - BACKGROUND[0]) + Math.abs(plain.data[i + 1] - BACKGROUND[1]) + Math.abs(plain.data[i + 2] - BACKGROUND[2]) > 24) drawn++;
        if (a < b - 6) darker++;
        else if (a > b + 6) lighter++;
      }
      // the towers' walls (lit or not) differ from the ground: count them in the plain shot
      let walls = 0;
      for (let i = 0; i < plain.data.length; i += 4) {
        const [r, g, b] = [plain.data[i], plain.data[i + 1], plain.data[i + 2]];
        if (!(Math.abs(r - BACKGROUND[0]) + Math.abs(g - BACKGROUND[1]) + Math.abs(b - BACKGROUND[2]) <= 24) && (r > g + 4 || (r < 130 && Math.abs(r - g) < 6))) walls++;
      }
      expect(lighter).toBe(0);
      expect(darker).toBeGreaterThan(0.002 * drawn);
      // only their feet: a band of the lowest metres, not the whole wall (a per-vertex factor interpolated
      // over a 30 m wall darkened all of it)
      expect(darker).toBeLessThan(0.25 * walls);
    });
  });
});

describe('viewer: facades (build --facades texture)', () => {
  it('a 5-storey building seen from the street shows 5 rows of windows; the same building without facades none', async () => {
    const dir = freshDir('viewer-facades');
    const city = path.join(dir, 'five.geojson');
    fs.writeFileSync(city, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { id: 'five', height: 15, 'building:levels': 5, building: 'apartments' }, geometry: { type: 'Polygon', coordinates: [[[7.42, 43.73], [7.4203, 43.73], [7.4203, 43.7301], [7.42, 43.7301], [7.42, 43.73]]] } }] }));
    // rows of window pixels (dark glass) down each column of the view (between the about line and the
    // scale bar, whose text is dark too); the most any column crosses
    const windowRows = (png: Buffer): number => {
      const img = PNG.sync.read(png);
      let most = 0;
      for (let x = 100; x < 900; x += 7) {
        let rows = 0, run = 0;
        for (let y = 40; y < 740; y++) {
          const i = 4 * (y * img.width + x);
          const dark = 0.2126 * img.data[i] + 0.7152 * img.data[i + 1] + 0.0722 * img.data[i + 2] < 80;
          if (dark) run++;
          else {
            if (run >= 2) rows++;
            run = 0;
          }
        }
        most = Math.max(most, rows);
      }
      return most;
    };
    const rowsOf = async (args: string[], name: string) => {
      const glb = path.join(dir, `${name}.glb`);
      const built = cli(['build', city, ...args, '-o', glb, '-q']);
      expect(built.code, built.stderr).toBe(0);
      await expectValidGlb(new Uint8Array(fs.readFileSync(glb)));
      let rows = -1;
      await withViewerPage(glb, async (page) => {
        await page.mouse.move(5, 795);
        const shot = await page.screenshot({ clip: { x: 0, y: 0, width: 960, height: 800 } });
        fs.writeFileSync(path.join(dir, `${name}.png`), shot);
        rows = windowRows(shot);
      });
      return rows;
    };
    expect(await rowsOf(['--facades', 'texture'], 'facades')).toBe(5);
    expect(await rowsOf([], 'plain')).toBe(0);
  });
});

describe('viewer with a base map (view --basemap: a MapLibre style under the map view)', () => {
  it('the map view draws the style\'s tiles around the city, follows the camera, and shows the base map\'s attribution; the model view loads none of it', async () => {
    const dir = freshDir('viewer-basemap');
    const glb = path.join(dir, 'city.glb');
    const built = cli(['build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '-o', glb, '-q']);
    expect(built.code, built.stderr).toBe(0);
    const tiles = await startTileServer();
    try {
      await withViewerPage(glb, async (page) => {
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        // the model view has no base map (MapLibre is not even loaded)
        expect(await page.$('.basemap')).toBeNull();
        expect(await page.evaluate(() => performance.getEntriesByType('resource').some((e) => /maplibre/.test(e.name)))).toBe(false);
        await page.click('#toggle');
        await page.waitForFunction('window.cityforge.view === "map"');
        // until MapLibre has the style and every tile it shows
        await page.waitForFunction('window.cityforge.baseMapLoading().then((l) => !l)', null, { timeout: 60_000, polling: 250 });
        expect(tiles.requests).toContain('/style.json');
        expect(tiles.requests.some((r) => /^\/tiles\/12\/65[45]\/158[234]\.png$/.test(r))).toBe(true);
        const shot = await page.screenshot({ clip: { x: 0, y: 0, width: 960, height: 800 } });
        fs.writeFileSync(path.join(dir, 'map-basemap.png'), shot);
        // beside the city (the left edge of the view) the map, not the plain background
        expect(pixelStats(shot, { x0: 0, x1: 120 }).drawn).toBeGreaterThan(0.5);
        expect(await page.textContent('#view-map .maplibregl-ctrl-attrib')).toContain('© OpenStreetMap contributors (test tiles)');
        // the map follows deck.gl's camera: a wheel zoom asks for the same tiles overzoomed, and the map moves with the city
        const before = await page.evaluate(() => (document.querySelector('#view-map .basemap canvas') as HTMLCanvasElement).toDataURL());
        await page.mouse.move(480, 400);
        for (let k = 0; k < 3; k++) await page.mouse.wheel(0, -300);
        await page.waitForFunction((b) => (document.querySelector('#view-map .basemap canvas') as HTMLCanvasElement).toDataURL() !== b, before, { timeout: 30_000 });
        expect(errors).toEqual([]);
      }, ['--basemap', `${tiles.base}/style.json`]);
    } finally {
      tiles.server.close();
    }
  });

  it('a --basemap that is not an http(s) URL: exit 2, saying what it takes', () => {
    const r = cli(['view', path.join(DATA, 'sf-mvt'), '--basemap', 'tiles/{z}/{x}/{y}.png']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--basemap must be an http\(s\) URL/);
  });
});

describe('viewer panel on an inferred city (cityforge infer → build)', () => {
  it('fit-figures-were-dropped (the infer output reads as a layer of OSM tags): a fitted building shows its parameters with their one-sigma uncertainty ("12.03 ± 0.01 m"), the sigma rows folded into them', async () => {
    const dir = freshDir('viewer-infer');
    const city = path.join(dir, 'city.geojson');
    const ring = [[85000, 447000], [85024, 447000], [85024, 447012], [85000, 447012], [85000, 447000]];
    fs.writeFileSync(city, JSON.stringify({
      type: 'FeatureCollection',
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::28992' } },
      features: [{ type: 'Feature', properties: { ref: 'house', height: 12, 'roof:shape': 'gabled', 'roof:height': 4, 'building:levels:underground': 1, 'addr:street': 'Oude Delft' }, geometry: { type: 'Polygon', coordinates: [ring] } }],
    }));
    const dsm = path.join(dir, 'dsm.tif'), params = path.join(dir, 'params.gpkg'), glb = path.join(dir, 'inferred.glb');
    expect(cli(['rasterize', city, '-o', dsm, '--noise', '0.05', '-q']).code).toBe(0);
    expect(cli(['infer', city, '--dsm', dsm, '-o', params, '-q']).code).toBe(0);
    expect(cli(['build', params, '-o', glb, '-q']).code).toBe(0);
    await withViewerPage(glb, async (page) => {
      // the one building fills the middle of the view (left of the panel)
      const box = (await page.locator('canvas').first().boundingBox())!;
      for (let k = 0; k < 12 && !(await page.evaluate(() => (window as any).cityforge.selectedId)); k++) {
        await page.mouse.click(box.x + box.width * (0.3 + 0.03 * k), box.y + box.height * 0.5);
        await page.waitForTimeout(50);
      }
      expect(await page.evaluate(() => (window as any).cityforge.selectedId)).toBeTruthy();
      expect(await page.textContent('#selection [data-key="ref"]')).toBe('house');
      // (σ under 1 cm with one significant digit: "± 0.003", not "± 0.00")
      expect(await page.textContent('#selection [data-key="height"]')).toMatch(/^\d+\.\d\d ± 0\.(\d\d|00\d) m$/);
      expect(await page.textContent('#selection [data-key="roof_height"]')).toMatch(/^\d+\.\d\d ± 0\.(\d\d|00\d) m$/);
      expect(await page.textContent('#selection [data-key="fit_eave"]')).toMatch(/± 0\.(\d\d|00\d) m$/);
      expect(await page.textContent('#selection')).not.toMatch(/± 0\.00(?!\d)/);
      expect(await page.locator('#selection [data-key="fit_sigma_height"]').count()).toBe(0);
      expect(await page.textContent('#selection')).toMatch(/fit:confidence/);
      // long-key-squeezed-value: a long attribute name ("fit:runner_up_confidence") breaks at its ':' and '_'
      // rather than pushing its value into a sliver; every value keeps at least a third of the table's width
      const widths = await page.evaluate(() => [...document.querySelectorAll('#selection table tr')].map((tr) => {
        const [k, v] = [...tr.querySelectorAll('td')];
        return { key: k.textContent, share: v.getBoundingClientRect().width / tr.getBoundingClientRect().width, value: v.textContent, lines: (() => {
          const el = v.querySelector('.num') ?? v;
          return el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).fontSize);
        })() };
      }));
      await page.locator('#panel').screenshot({ path: path.join(dir, 'panel-inferred.png') });
      // a number with its σ and unit on one line ("12.03 ± 0.002 m" had wrapped before its unit)
      for (const w of widths) if (/^-?\d/.test(w.value ?? '')) expect(w.lines, `${w.key}: ${w.value} (its height in font sizes)`).toBeLessThan(1.8);
      expect(widths.map((w) => w.key), JSON.stringify(widths.map((w) => w.key))).toContain('building:levels:underground');
      for (const w of widths) expect(w.share, `${w.key}: ${w.value}`).toBeGreaterThan(0.5);
    });
  });
});

describe('viewer panel on a building inferred as its roof planes (building parts)', () => {
  it('parts-fits-were-invisible: the panel of a building drawn as its parts lists the parts\' roof shapes and heights with their σ', async () => {
    const dir = freshDir('viewer-infer-parts');
    const crs = { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::28992' } };
    const rect = (x0: number, y0: number, x1: number, y1: number) => [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]];
    // a gabled house and a flat annex stand in the DSM; the footprint is their union
    const scene = path.join(dir, 'scene.geojson'), outline = path.join(dir, 'outline.geojson');
    fs.writeFileSync(scene, JSON.stringify({ type: 'FeatureCollection', crs, features: [
      { type: 'Feature', properties: { height: 12, 'roof:shape': 'gabled', 'roof:height': 4 }, geometry: { type: 'Polygon', coordinates: rect(85000, 447000, 85016, 447010) } },
      { type: 'Feature', properties: { height: 4, 'roof:shape': 'flat' }, geometry: { type: 'Polygon', coordinates: rect(85016, 447000, 85024, 447010) } },
    ] }));
    fs.writeFileSync(outline, JSON.stringify({ type: 'FeatureCollection', crs, features: [{ type: 'Feature', properties: { ref: 'house' }, geometry: { type: 'Polygon', coordinates: rect(85000, 447000, 85024, 447010) } }] }));
    const dsm = path.join(dir, 'dsm.tif'), params = path.join(dir, 'params.gpkg'), glb = path.join(dir, 'parts.glb');
    expect(cli(['rasterize', scene, '-o', dsm, '-q']).code).toBe(0);
    const inf = cli(['infer', outline, '--dsm', dsm, '-o', params, '-v']);
    expect(inf.code, inf.stderr).toBe(0);
    expect(inf.stderr).toMatch(/1 of them as their roof planes \(building parts\)/);
    expect(cli(['build', params, '-o', glb, '-q']).code).toBe(0);
    await withViewerPage(glb, async (page) => {
      const glErrors: string[] = [];
      page.on('console', (m) => {
        if (/INVALID_OPERATION|no buffer is bound/i.test(m.text())) glErrors.push(m.text());
      });
      // (found by its id, as a user does with the search box)
      const id = await page.evaluate(() => (window as any).cityforge.model.table.ref.indexOf('house'));
      const outlineId = await page.evaluate((i) => String((window as any).cityforge.model.table.id[i]), id);
      // find-by-ref: the source's own identifier finds it too (only the row id did)
      await page.fill('#search-input', 'HOUSE');
      await page.press('#search-input', 'Enter');
      await page.waitForFunction((i) => (window as any).cityforge.selected === i, id, { timeout: 10_000 });
      expect(await page.textContent('#search-result')).toBe('');
      await page.fill('#search-input', outlineId);
      await page.press('#search-input', 'Enter');
      await page.waitForFunction((i) => (window as any).cityforge.selected === i, id, { timeout: 10_000 });
      expect(await page.textContent('#selection [data-key="fit_status"]')).toBe('parts');
      const summary = await page.textContent('#selection details.parts summary');
      const n = Number(/^(\d+) parts/.exec(summary ?? '')?.[1]);
      expect(n).toBeGreaterThanOrEqual(2);
      await page.click('#selection details.parts summary');
      const cells = await page.locator('#selection details.parts td').allTextContents();
      expect(cells.filter((c) => c === 'flat').length).toBeGreaterThan(0);
      expect(cells.some((c) => /^\d+\.\d\d ± [\d.]+ m$/.test(c))).toBe(true);
      // hover-dropped-a-primitive: the highlight leaves the building (Escape-free: a click on the sky); its
      // overlay, sharing the parts' vertex buffers, is freed without freeing theirs — the roofs stay drawn
      const shown = await page.screenshot({ clip: { x: 0, y: 0, width: 940, height: 800 } });
      await page.mouse.click(5, 200);
      await page.waitForFunction(() => (window as any).cityforge.selected === null, null, { timeout: 10_000 });
      await page.mouse.move(5, 205);
      await page.waitForTimeout(500);
      expect(glErrors).toEqual([]);
      const after = await page.screenshot({ path: path.join(dir, 'after-deselect.png'), clip: { x: 0, y: 0, width: 940, height: 800 } });
      expect(pixelStats(after).building).toBeGreaterThan(0.5 * pixelStats(shown).building);
    });
  });
});

/**
 * Shares of pixels in a screenshot of the colours OpenStreetMap's map draws and a plain ground never
 * has: saturated ones (roads' yellow and orange, parks' green, transit blue: channels more than 45 apart),
 * and the road yellow itself (#f7fabf, shaded).
 */
function mapColours(png: Buffer): { saturated: number; yellow: number } {
  const img = PNG.sync.read(png);
  let saturated = 0, yellow = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    const [r, g, b] = [img.data[i], img.data[i + 1], img.data[i + 2]];
    if (Math.max(r, g, b) - Math.min(r, g, b) > 45) saturated++;
    if (r > 200 && g > 200 && b < 175 && r - b > 45) yellow++;
  }
  const n = img.width * img.height;
  return { saturated: saturated / n, yellow: yellow / n };
}

describe('viewer with imagery draped on the terrain (OSM raster tiles on Terrarium elevation tiles)', () => {
  let browser: Browser;
  const servers: ChildProcess[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  });
  afterAll(async () => {
    await browser?.close();
    for (const s of servers) s.kill('SIGTERM');
  });

  /** Build the Buena Vista tile on the Terrarium tiles (with `extra`), open it, and measure the map's colours in both views. */
  async function colours(name: string, extra: string[]): Promise<{ model: ReturnType<typeof mapColours>; map: ReturnType<typeof mapColours>; errors: string[] }> {
    const dir = freshDir(`viewer-imagery-${name}`);
    const glb = path.join(dir, `${name}.glb`);
    const built = cli(['build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--terrain', path.join(DATA, 'sf-terrarium-z12'), ...extra, '-o', glb, '-q']);
    expect(built.code, built.stderr).toBe(0);
    await expectValidGlb(new Uint8Array(fs.readFileSync(glb)));
    const { server, url } = await startViewer(glb);
    servers.push(server);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction('window.cityforge && (window.cityforge.ready || window.cityforge.error)', null, { timeout: 120_000 });
    const model = mapColours(await page.screenshot({ path: path.join(dir, 'model-view.png'), clip: { x: 0, y: 0, width: 960, height: 800 } }));
    await page.click('#toggle');
    await page.waitForTimeout(1500);
    const map = mapColours(await page.screenshot({ path: path.join(dir, 'map-view.png'), clip: { x: 0, y: 0, width: 960, height: 800 } }));
    await page.close();
    return { model, map, errors };
  }

  it('the ground shows the map: its roads’ yellow, parks and stations in the model and the map view; none of it without --imagery', async () => {
    const withMap = await colours('imagery', ['--imagery', path.join(DATA, 'sf-osm-raster-z12')]);
    const plain = await colours('plain', []);
    expect(withMap.errors).toEqual([]);
    for (const v of [withMap.model, withMap.map]) {
      expect(v.saturated).toBeGreaterThan(0.05);
      expect(v.yellow).toBeGreaterThan(0.01);
    }
    for (const v of [plain.model, plain.map]) {
      expect(v.saturated).toBeLessThan(0.005);
      expect(v.yellow).toBeLessThan(0.001);
    }
  });
});

describe('viewer on a 3D Tiles tileset (3DTilesRendererJS in the three.js view)', () => {
  let server: ChildProcess;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    const dir = freshDir('viewer-tiles');
    const input = path.join(dir, 'in');
    fs.mkdirSync(input);
    for (const t of ['15-5238-12666.mvt', '15-5238-12667.mvt']) fs.copyFileSync(path.join(DATA, 'sf-mvt', t), path.join(input, t));
    const out = (tilesDir = path.join(dir, 'tiles'));
    const built = cli(['tiles', input, '--max-buildings', '500', '-o', out]);
    expect(built.code, built.stderr).toBe(0);
    builtCount = /([\d,]+) buildings written/.exec(built.stderr)?.[1] ?? 'none';
    for (const f of fs.readdirSync(path.join(out, 'tiles'), { recursive: true }) as string[])
      if (f.endsWith('.glb')) await expectValidGlb(new Uint8Array(fs.readFileSync(path.join(out, 'tiles', f))));
    let url: string;
    ({ server, url } = await startViewer(out));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('request', (r) => {
      if (/\.glb(\?|$)/.test(r.url())) glbRequests.push(r.url());
      if (/tileset\.json(\?|$)/.test(r.url())) rootRequests.push(r.url());
    });
    await page.goto(url);
    await page.waitForFunction('window.cityforge && (window.cityforge.ready || window.cityforge.error)', null, { timeout: 120_000 });
    await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 120_000 });
  });
  const glbRequests: string[] = [];
  const rootRequests: string[] = [];
  let modelLuma = NaN;
  let modelChroma = NaN;
  let builtCount = '';
  let tilesDir = '';

  it('tiles-downloaded-twice: each tile content is requested once (its table read from the same bytes); idle, the view draws no frame', async () => {
    expect(glbRequests.length).toBeGreaterThan(0);
    expect(glbRequests.filter((u, i) => glbRequests.indexOf(u) !== i)).toEqual([]);
    // tileset-json-fetched-twice: the page reads tileset.json once; the view takes it from there
    expect(rootRequests).toHaveLength(1);
    // once settled, the view goes idle: within a few seconds a whole second passes without a frame
    let idle = false;
    for (let k = 0; k < 8 && !idle; k++) {
      const f0 = await page.evaluate(() => (window as any).cityforge.framesDrawn());
      await page.waitForTimeout(1000);
      idle = (await page.evaluate(() => (window as any).cityforge.framesDrawn())) === f0;
    }
    expect(idle).toBe(true);
  });
  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
  });

  it('streams tiles, draws the city; hover highlights a building, a click shows it from its tile’s table', async () => {
    expect(await page.evaluate(() => (window as any).cityforge.error)).toBeNull();
    expect(await page.textContent('#stats')).toMatch(/3D Tiles tileset · \d+ tiles/);
    // tileset-panel-named-data: the panel names the folder served (tiles/), not the viewer's data/tileset.json
    expect(await page.textContent('#stats')).toMatch(/ tiles\s*tiles\/(Drawn|$)/);
    // tileset-panel-did-not-say-what-is-drawn: the tiles drawn now, their levels, and how many in full detail
    expect(await page.textContent('#tiles-drawn')).toMatch(/^Drawn: \d+ tiles?, levels? \d+(–\d+)? of 0–\d+ · /);
    expect(await page.textContent('#stats')).not.toMatch(/data\/tileset\.json/);
    // tileset-had-no-about: the about line counts the buildings, as the tiles run's summary did
    expect(await page.textContent('#about')).toMatch(new RegExp(`^${builtCount} buildings in \\d+ tiles · 3D Tiles 1\\.1 · built by cityforge$`));
    // the scale bar and compass follow the tileset's view too (they stood empty)
    expect(await page.textContent('#scale .label')).toMatch(/^\d+ (m|km)$/);
    const shot = await page.screenshot({ clip: { x: 0, y: 0, width: 960, height: 800 } });
    fs.writeFileSync(path.join(OUT, 'viewer-tiles', 'tileset-view.png'), shot);
    expect(pixelStats(shot).building).toBeGreaterThan(0.01);
    modelLuma = meanLuma(shot);
    modelChroma = meanChroma(shot);
    const b = await page.evaluate(() => (window as any).cityforge.someBuilding());
    expect(b).not.toBeNull();
    // hover: the building under the pointer is highlighted
    const before = pixelStats(shot).highlight;
    await page.mouse.move(b.x, b.y);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as any).cityforge.hoveredId)).toBe(b.id);
    const lit = await page.screenshot({ clip: { x: 0, y: 0, width: 960, height: 800 } });
    fs.writeFileSync(path.join(OUT, 'viewer-tiles', 'tileset-view-hover.png'), lit);
    expect(pixelStats(lit).highlight).toBeGreaterThan(before + 20);
    await page.mouse.click(b.x, b.y);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as any).cityforge.selectedId)).toBe(b.id);
    expect(await page.textContent('#selection [data-key="id"]')).toBe(b.id);
    // off the building: the highlight stays on the selection; over the sky nothing is hovered
    await page.mouse.move(5, 5);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as any).cityforge.hoveredId)).toBeNull();
  });

  it('tileset-had-no-link: the address keeps the camera and the selected building; a fresh page on it looks from there and selects it once its tile arrives', async () => {
    const b = await page.evaluate(() => (window as any).cityforge.someBuilding());
    await page.mouse.click(b.x, b.y);
    await page.waitForFunction((id) => new URLSearchParams(location.hash.slice(1)).get('b') === id && /cam=/.test(location.hash), b.id);
    const link = page.url();
    const cam = new URLSearchParams(new URL(link).hash.slice(1)).get('cam');
    const p2 = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await p2.goto(link);
    await p2.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120_000 });
    await p2.waitForFunction((id) => (window as any).cityforge.selectedId === id, b.id, { timeout: 120_000 });
    expect(await p2.textContent('#selection [data-key="id"]')).toBe(b.id);
    // the same camera: the building stands where it stood on the first page
    await p2.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 120_000 });
    expect(new URLSearchParams(new URL(p2.url()).hash.slice(1)).get('cam')).toBe(cam);
    // tileset-link-lost-its-building: still selected once every tile has arrived (a coarse tile's box of it
    // gave way to the finer tile drawing it, and took the selection along)
    await p2.waitForTimeout(1000);
    expect(await p2.evaluate(() => (window as any).cityforge.selectedId)).toBe(b.id);
    expect(new URLSearchParams(new URL(p2.url()).hash.slice(1)).get('b')).toBe(b.id);
    await p2.mouse.move(b.x, b.y);
    await p2.waitForFunction((id) => (window as any).cityforge.hoveredId === id, b.id, { timeout: 10_000 });
    await p2.close();
    // link-ignored-once-open: the open page follows a link pasted into its address bar: without the
    // building, nothing selected; with it, selected again
    await page.evaluate((c) => (location.hash = `#cam=${c}`), cam);
    await page.waitForFunction(() => (window as any).cityforge.selectedId === null, null, { timeout: 10_000 });
    await page.evaluate((h) => (location.hash = h), new URL(link).hash);
    await page.waitForFunction((id) => (window as any).cityforge.selectedId === id, b.id, { timeout: 30_000 });
  });

  it('tileset-phone-did-not-fit: on a 390 × 844 screen the first view shows the whole tileset across the width', async () => {
    const p = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await p.goto(page.url().split('#')[0]);
    await p.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120_000 });
    await p.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 120_000 });
    const shot = await p.screenshot({ path: path.join(OUT, 'viewer-tiles', 'tileset-phone.png') });
    const img = PNG.sync.read(shot);
    // the columns holding building pixels (below the folded panel's button, above the credits)
    let first = img.width, last = -1;
    for (let y = 120; y < img.height - 60; y++)
      for (let x = 0; x < img.width; x++) {
        const i = 4 * (y * img.width + x);
        const [r, g, b] = [img.data[i], img.data[i + 1], img.data[i + 2]];
        // walls and roofs: warm, red above green (the ground's olive grey has red and green alike)
        if (r >= g + 4 && r >= b + 10 && r - b < 60) [first, last] = [Math.min(first, x), Math.max(last, x)];
      }
    expect(last - first).toBeGreaterThan(0.4 * img.width);
    expect(first).toBeGreaterThan(3);
    expect(last).toBeLessThan(img.width - 4);
    await p.close();
  });

  it('tileset-had-no-colour-by: colour by height over every tile on one scale (the tileset\'s column statistics), with the highlight on top and back to materials', async () => {
    // the scale: every building of the run counted once, from the leaves' tables
    const json = JSON.parse(fs.readFileSync(path.join(tilesDir, 'tileset.json'), 'utf8'));
    const stats = json.asset.extras.cityforge.columns;
    expect(stats.height.count.toLocaleString('en-US')).toBe(builtCount);
    expect(stats.height.min).toBeGreaterThan(0);
    expect(stats.height.max).toBeGreaterThan(stats.height.min);
    // nothing selected (the tests before selected a building: its highlight would hide the hover's)
    await page.mouse.click(5, 5);
    await page.waitForFunction('window.cityforge.selectedId === null');
    await page.waitForTimeout(200);
    const plain = await page.screenshot({ clip: { x: 0, y: 0, width: 960, height: 800 } });
    expect(await page.isVisible('#colour-by')).toBe(true);
    await page.selectOption('#colour-by', 'height');
    const styling = await page.evaluate(() => (window as any).cityforge.styling);
    expect(styling.column).toBe('height');
    expect(styling.legend.length).toBeGreaterThanOrEqual(3);
    expect(await page.locator('#legend li').count()).toBe(styling.legend.length);
    expect(await page.locator('#legend button').count()).toBe(styling.legend.length);
    await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 60_000 });
    await page.waitForFunction(() => new URLSearchParams(location.hash.slice(1)).get('by') === 'height');
    const coloured = await page.screenshot({ path: path.join(OUT, 'viewer-tiles', 'tileset-colour-by-height.png'), clip: { x: 0, y: 0, width: 960, height: 800 } });
    // the legend's colours in the pixels: most of the city in them, and at least three of them drawn
    const { colours, inLegend } = expectLegendDrawn(styling.legend, coloured, plain);
    // the highlight over the colours, and the colours back under it when the pointer leaves
    const b = await page.evaluate(() => (window as any).cityforge.someBuilding());
    await page.mouse.move(b.x, b.y);
    await page.waitForFunction((id) => (window as any).cityforge.hoveredId === id, b.id);
    const lit = await page.screenshot({ path: path.join(OUT, 'viewer-tiles', 'tileset-colour-by-hover.png'), clip: { x: 0, y: 0, width: 960, height: 800 } });
    // (the highlight's cyan by hue: the ramp's teal passes for it by pixelStats' rule)
    const cyan = [0x19, 0xd3, 0xff];
    expect((near(lit, cyan) - near(coloured, cyan)) * 960 * 800).toBeGreaterThan(20);
    await page.mouse.move(5, 5);
    await page.waitForFunction('window.cityforge.hoveredId === null');
    await page.waitForTimeout(200);
    const after = await page.screenshot({ clip: { x: 0, y: 0, width: 960, height: 800 } });
    expect(inLegend(after)).toBeGreaterThan(inLegend(plain) + 0.05);
    // tileset-legend-did-not-filter: an entry hides its buildings in every tile (drawn and picked), and the
    // address keeps it; a second click shows them again
    const commonest = colours.map((c: number[]) => near(after, c)).reduce((best: number, v: number, i: number, all: number[]) => (v > all[best] ? i : best), 0);
    await page.click(`#legend button[data-bin="${commonest}"]`);
    await page.waitForFunction((bin) => new URLSearchParams(location.hash.slice(1)).get('hide') === String(bin), commonest);
    await page.waitForTimeout(300);
    const filtered = await page.screenshot({ path: path.join(OUT, 'viewer-tiles', 'tileset-filtered.png'), clip: { x: 0, y: 0, width: 960, height: 800 } });
    expect(near(filtered, colours[commonest])).toBeLessThan(0.2 * near(after, colours[commonest]));
    await page.click(`#legend button[data-bin="${commonest}"]`);
    await page.waitForTimeout(300);
    const unfiltered = await page.screenshot({ clip: { x: 0, y: 0, width: 960, height: 800 } });
    expect(near(unfiltered, colours[commonest])).toBeGreaterThan(0.8 * near(after, colours[commonest]));
    await page.selectOption('#colour-by', '');
    expect(await page.isHidden('#legend')).toBe(true);
    await page.waitForTimeout(200);
    const back = await page.screenshot({ clip: { x: 0, y: 0, width: 960, height: 800 } });
    expect(Math.abs(meanLuma(back) - meanLuma(plain))).toBeLessThan(2);
  });

  it('tileset-had-no-find: the find index (ids and names in bucket files) → fly-to → the building selected in its leaf; an unknown id says so', async () => {
    const json = JSON.parse(fs.readFileSync(path.join(tilesDir, 'tileset.json'), 'utf8'));
    const find = json.asset.extras.cityforge.find;
    expect(find.dir).toBe('find');
    // every building of the run in the index, once under its id
    let ids = 0;
    let target = '';
    for (const b of find.buckets) {
      const bucket = JSON.parse(fs.readFileSync(path.join(tilesDir, 'find', `${b}.json`), 'utf8'));
      for (const [key, entries] of Object.entries(bucket) as [string, [string, string, number, number, number][]][])
        for (const e of entries)
          if (e[0].toLowerCase() === key) {
            ids++;
            // one far from the first view's centre, in a leaf
            if (!target && /^\d+\/\d+\/\d+$/.test(e[1]) && Math.hypot(e[2], e[3]) > 300) target = e[0];
          }
    }
    expect(ids.toLocaleString('en-US')).toBe(builtCount);
    expect(target).not.toBe('');
    expect(await page.isVisible('#search-input')).toBe(true);
    await page.fill('#search-input', target.toUpperCase());
    await page.press('#search-input', 'Enter');
    await page.waitForFunction((id) => (window as any).cityforge.selectedId === id, target, { timeout: 60_000 });
    expect(await page.textContent('#selection [data-key="id"]')).toBe(target);
    // it stays selected as the view settles (found in its leaf, not in a coarse tile's box that gives way)
    await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 60_000 });
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => (window as any).cityforge.selectedId)).toBe(target);
    await page.screenshot({ path: path.join(OUT, 'viewer-tiles', 'tileset-found.png'), clip: { x: 0, y: 0, width: 960, height: 800 } });
    await page.fill('#search-input', 'no such building zzz');
    await page.press('#search-input', 'Enter');
    await page.waitForFunction(() => /No building/.test(document.getElementById('search-result')!.textContent ?? ''));
    await page.click('#home');
    await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 60_000 });
  });

  it('the-selection-stayed-after-refining: a building selected in a tile that is no longer drawn (the view moved to coarser tiles) is no longer selected', async () => {
    const b = await page.evaluate(() => (window as any).cityforge.someBuilding());
    await page.mouse.click(b.x, b.y);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as any).cityforge.selectedId)).toBe(b.id);
    // far out: the leaves give way to their parents
    await page.mouse.move(480, 400);
    for (let k = 0; k < 25; k++) await page.mouse.wheel(0, 400);
    await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 60_000 });
    await page.waitForFunction('window.cityforge.selectedId === null', null, { timeout: 10_000 });
    expect(await page.textContent('#selection')).toMatch(/Click a building/);
    // the panel says the view now draws coarser tiles than the leaves
    await page.waitForFunction(() => /boxes or blocks/.test(document.getElementById('tiles-drawn')?.textContent ?? ''), null, { timeout: 5_000 });
    await page.click('#home');
    await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 60_000 });
  });

  it('map-view-hover-test-depended-on-timing: once the tiles settle, deck.gl’s Tile3DLayer hover and click pick the building from its tile’s table', async () => {
    const before = glbRequests.length;
    await page.click('#toggle');
    expect(await page.evaluate(() => (window as any).cityforge.view)).toBe('map');
    // not a fixed wait: until every tile deck.gl wants is loaded and pickable (coarse tiles replaced by their children)
    await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 120_000 });
    // tileset-map-view-downloaded-while-idle: the map view requests each content once (its pick data from the
    // same bytes; loaders.gl's 32 MB cache used to evict and fetch the same tiles again), also while it stands
    await page.waitForTimeout(5000);
    const mapRequests = glbRequests.slice(before).map((u) => u.split('?')[0]);
    expect(mapRequests.length).toBeGreaterThan(0);
    expect(mapRequests.filter((u, i) => mapRequests.indexOf(u) !== i)).toEqual([]);
    const shot = await page.screenshot({ clip: { x: 0, y: 0, width: 960, height: 800 } });
    fs.writeFileSync(path.join(OUT, 'viewer-tiles', 'tileset-map-view.png'), shot);
    expect(pixelStats(shot).drawn).toBeGreaterThan(0.2);
    // tileset-map-view-was-darker: the city as light as in the model view (deck.gl's glTF shader wrote
    // linear colour: about two thirds of the model view's brightness)
    expect(meanLuma(shot)).toBeGreaterThan(0.9 * modelLuma);
    // tileset-map-view-washed-out: nor brighter (under the GLB map view's light it was a fifth brighter, walls near white)
    expect(meanLuma(shot)).toBeLessThan(1.12 * modelLuma);
    // tileset-map-view-grey: and in colour, not grey (the PBR shader's sRGB output was encoded twice: a
    // third of the model view's chroma)
    expect(meanChroma(shot)).toBeGreaterThan(0.5 * modelChroma);
    const b = await page.evaluate(() => (window as any).cityforge.someBuilding());
    expect(b).not.toBeNull();
    await page.mouse.move(b.x, b.y);
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => (window as any).cityforge.hoveredId)).toBe(b.id);
    const lit = await page.screenshot({ clip: { x: 0, y: 0, width: 960, height: 800 } });
    fs.writeFileSync(path.join(OUT, 'viewer-tiles', 'tileset-map-view-hover.png'), lit);
    expect(pixelStats(lit).highlight).toBeGreaterThan(pixelStats(shot).highlight + 20);
    await page.mouse.click(b.x, b.y);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as any).cityforge.selectedId)).toBe(b.id);
    // nor did the map view ask for tileset.json again
    expect(rootRequests).toHaveLength(1);
    // tileset-map-view-had-no-colour-by: the same colours in the map view, on the tiles it shows; hover over them
    await page.mouse.click(5, 5);
    await page.selectOption('#colour-by', 'height');
    const styling = await page.evaluate(() => (window as any).cityforge.styling);
    await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 60_000 });
    await page.waitForTimeout(500);
    const coloured = await page.screenshot({ path: path.join(OUT, 'viewer-tiles', 'tileset-map-colour-by-height.png'), clip: { x: 0, y: 0, width: 960, height: 800 } });
    const { colours, inLegend } = expectLegendDrawn(styling.legend, coloured, shot);
    const b2 = await page.evaluate(() => (window as any).cityforge.someBuilding());
    await page.mouse.move(b2.x, b2.y);
    await page.waitForFunction((id) => (window as any).cityforge.hoveredId === id, b2.id);
    // zoomed in, the finer tiles come coloured too
    await page.mouse.move(480, 400);
    for (let k = 0; k < 3; k++) await page.mouse.wheel(0, -300);
    await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 60_000 });
    await page.waitForTimeout(500);
    const closer = await page.screenshot({ path: path.join(OUT, 'viewer-tiles', 'tileset-map-colour-by-closer.png'), clip: { x: 0, y: 0, width: 960, height: 800 } });
    expect(inLegend(closer)).toBeGreaterThan(0.05);
    // the legend's filter in the map view too
    const top = colours.map((c: number[]) => near(closer, c)).reduce((best: number, v: number, i: number, all: number[]) => (v > all[best] ? i : best), 0);
    await page.click(`#legend button[data-bin="${top}"]`);
    await page.waitForTimeout(500);
    const mapFiltered = await page.screenshot({ clip: { x: 0, y: 0, width: 960, height: 800 } });
    expect(near(mapFiltered, colours[top])).toBeLessThan(0.2 * near(closer, colours[top]));
    await page.selectOption('#colour-by', '');
    await page.waitForTimeout(500);
    const back = await page.screenshot({ clip: { x: 0, y: 0, width: 960, height: 800 } });
    expect(inLegend(back)).toBeLessThan(inLegend(closer) - 0.03);
    // tileset-view-switch-lost-the-camera: back in the model view, the camera looks from where the (zoomed)
    // map view did: the building under a point of the map view is under the same point of the model view
    await page.mouse.move(5, 5);
    const b3 = await page.evaluate(() => (window as any).cityforge.someBuilding());
    const mapCam = new URLSearchParams(new URL(page.url()).hash.slice(1)).get('cam');
    await page.click('#toggle');
    await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 60_000 });
    expect(new URLSearchParams(new URL(page.url()).hash.slice(1)).get('cam')).not.toBe(null);
    expect(mapCam).not.toBe(null);
    await page.mouse.move(b3.x, b3.y);
    await page.waitForFunction((id) => (window as any).cityforge.hoveredId === id, b3.id, { timeout: 10_000 });
  });
});

describe('viewer on a city model read from CityJSON (a building and its part)', () => {
  it('part-selected-not-highlighted: a part found by its id is selected and its building highlighted; the building lists its part by id', async () => {
    const dir = freshDir('viewer-cityjson');
    const glb = path.join(dir, 'two.glb');
    const built = cli(['build', path.join(ROOT, 'test', 'fixtures', 'cityjson', 'in', 'two-buildings.city.json'), '-o', glb, '-q']);
    expect(built.code, built.stderr).toBe(0);
    await withViewerPage(glb, async (page) => {
      const rows = await page.evaluate(() => (window as any).cityforge.model.table.id as string[]);
      expect(rows).toEqual(['B1', 'B1-0', 'B2']);
      await page.fill('#search-input', 'B1-0');
      await page.press('#search-input', 'Enter');
      await page.waitForFunction(() => (window as any).cityforge.selected === 1, null, { timeout: 10_000 });
      expect(await page.textContent('#selection [data-key="id"]')).toBe('B1-0');
      // the part is drawn under B1's feature id: the highlight is B1's box
      await page.mouse.move(5, 795);
      await page.waitForTimeout(1500);
      const shot = await page.screenshot({ path: path.join(dir, 'part-selected.png') });
      expect(pixelStats(shot, { x0: 0, x1: 960 }).highlight).toBeGreaterThan(20);
      // the building: its one part, named by id (a city model's parts have no S3DB roof shape)
      await page.fill('#search-input', 'B1');
      await page.press('#search-input', 'Enter');
      await page.waitForFunction(() => (window as any).cityforge.selected === 0, null, { timeout: 10_000 });
      expect(await page.textContent('#selection details.parts summary')).toBe('1 part (id, height)');
      expect(await page.textContent('#selection details.parts td')).toBe('B1-0');
    });
  });
});

describe('viewer on a tileset over hills (tiles --terrain), map view', () => {
  it('tileset-map-camera-ignored-the-terrain: twenty wheel steps at the top of the highest hill keep the city on the screen', async () => {
    const dir = freshDir('viewer-tiles-hills');
    const out = path.join(dir, 'tiles');
    const built = cli(['tiles', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--terrain', path.join(DATA, 'sf-terrain-3857.tif'), '--max-buildings', '500', '-o', out, '-q']);
    expect(built.code, built.stderr).toBe(0);
    await withViewerPage(out, async (page) => {
      await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 120_000 });
      await page.click('#toggle');
      await page.waitForFunction('window.cityforge.view === "map"');
      await page.click('#home');
      await page.waitForFunction('window.cityforge.highestGround() !== null', null, { timeout: 60_000 });
      await page.waitForTimeout(1000);
      const first = await page.evaluate(() => (window as any).cityforge.nav());
      const top = await page.evaluate(() => (window as any).cityforge.highestGround());
      await page.mouse.move(top.x, top.y);
      for (let k = 0; k < 20; k++) {
        await page.mouse.wheel(0, -240);
        await page.waitForTimeout(100);
      }
      await page.waitForTimeout(3000);
      const shot = await page.screenshot({ path: path.join(dir, 'map-zoomed-hilltop.png'), clip: { x: 0, y: 0, width: 960, height: 800 } });
      expect((await page.evaluate(() => (window as any).cityforge.nav())).metresPerPixel).toBeLessThan(first.metresPerPixel / 8);
      // the hill and its buildings fill the view: not the background of a camera inside the hill
      expect(pixelStats(shot).drawn).toBeGreaterThan(0.6);
    });
  });
});
