/**
 * Helpers of the viewer's browser tests (Debian chromium via playwright-core): pixels of screenshots,
 * and \`cityforge view\` serving a model to a page.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { expect } from 'vitest';

export const ROOT = path.join(import.meta.dirname, '..', '..');
export const CHROMIUM = '/usr/bin/chromium';
export const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--enable-unsafe-swiftshader'];
export const BACKGROUND = [0xdf, 0xe6, 0xee];

/** The plain around the city as both views draw it where nothing shades it (map-view-had-no-ground). */
export const PLAIN = [195, 196, 176];

/** The share of a screenshot's pixels that are the plain ({@link PLAIN}). */
export function plainShare(png: Buffer): number {
  const img = PNG.sync.read(png);
  let n = 0;
  for (let i = 0; i < img.data.length; i += 4) if (Math.abs(img.data[i] - PLAIN[0]) + Math.abs(img.data[i + 1] - PLAIN[1]) + Math.abs(img.data[i + 2] - PLAIN[2]) <= 6) n++;
  return n / (img.width * img.height);
}

/** Share of pixels that differ from the background, and of warm-grey "building" pixels, in a PNG screenshot (the plain is neither). */
export function pixelStats(png: Buffer, region?: { x0: number; x1: number }): { drawn: number; building: number; highlight: number } {
  const img = PNG.sync.read(png);
  let drawn = 0, building = 0, highlight = 0, total = 0;
  for (let y = 0; y < img.height; y++)
    for (let x = region?.x0 ?? 0; x < (region?.x1 ?? img.width); x++) {
      const i = 4 * (y * img.width + x);
      const [r, g, b] = [img.data[i], img.data[i + 1], img.data[i + 2]];
      total++;
      // (the plain around the city, in both views: its colour as drawn, not what a view draws of the city)
      if (Math.abs(r - PLAIN[0]) + Math.abs(g - PLAIN[1]) + Math.abs(b - PLAIN[2]) <= 6) continue;
      if (Math.abs(r - BACKGROUND[0]) + Math.abs(g - BACKGROUND[1]) + Math.abs(b - BACKGROUND[2]) > 24) drawn++;
      // walls and roofs are warm greys (#e3ddd3 / #a39a8f, shaded): red above blue, not green-dominant like the terrain
      if (r >= b + 6 && r >= g - 2 && r > 60 && r < 250 && r - b < 60) building++;
      if (b > 120 && b - r > 110 && g > 90) highlight++; // the highlight's cyan (#19d3ff), lit or shaded
    }
  return { drawn: drawn / total, building: building / total, highlight };
}

/**
 * The box of the pixels drawn in the highlight's cyan (#19d3ff, lit or shaded: blue and green well over red) in
 * the `x0`–`x1` columns of a screenshot, and how many there are: where the selected building is on the screen.
 */
export function highlightBox(png: Buffer, x0 = 0, x1 = Infinity): { x0: number; y0: number; x1: number; y1: number; n: number; width: number; height: number } {
  const img = PNG.sync.read(png);
  const box = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity, n: 0, width: img.width, height: img.height };
  for (let y = 0; y < img.height; y++)
    for (let x = x0; x < Math.min(x1, img.width); x++) {
      const i = 4 * (y * img.width + x);
      const [r, g, b] = [img.data[i], img.data[i + 1], img.data[i + 2]];
      if (!(b > 90 && b - r > 60 && g - r > 40)) continue;
      box.n++;
      box.x0 = Math.min(box.x0, x);
      box.x1 = Math.max(box.x1, x);
      box.y0 = Math.min(box.y0, y);
      box.y1 = Math.max(box.y1, y);
    }
  return box;
}

/**
 * How many pixels turned towards the highlight's cyan from `before` to `after` (blue over red up by more
 * than 40): the building under the pointer, tinted by the highlight over its own colour or a colour-by's.
 */
export function tinted(before: Buffer, after: Buffer): number {
  const a = PNG.sync.read(before), b = PNG.sync.read(after);
  let n = 0;
  for (let i = 0; i < Math.min(a.data.length, b.data.length); i += 4) if (b.data[i + 2] - b.data[i] - (a.data[i + 2] - a.data[i]) > 40) n++;
  return n;
}

/** The share of pixels near a colour (0–255) in hue: shading darkens faces, so value is not compared. */
export function near(png: Buffer, [r, g, b]: number[]): number {
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
export function expectLegendDrawn(legend: { colour: number[] }[], coloured: Buffer, plain: Buffer): { colours: number[][]; inLegend: (png: Buffer) => number } {
  const colours = legend.map((e) => e.colour.map((v) => 255 * v));
  const inLegend = (png: Buffer) => colours.reduce((a, c) => a + near(png, c), 0);
  expect(inLegend(coloured)).toBeGreaterThan(inLegend(plain) + 0.05);
  expect(colours.filter((c) => near(coloured, c) > near(plain, c) + 0.0002).length).toBeGreaterThanOrEqual(3);
  return { colours, inLegend };
}

/**
 * Mean of `f(r, g, b)` over the pixels left of the panel (x < 960) unlike the top-left corner's colour (the
 * background) and not greener than red (the model view's plain, its haze and the sky: the plain reaching the
 * horizon took the corner's place as the background and its lower part counted as city).
 */
export function meanOverCity(png: Buffer, f: (r: number, g: number, b: number) => number): number {
  const img = PNG.sync.read(png);
  const bg = [img.data[0], img.data[1], img.data[2]];
  let s = 0, n = 0;
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < Math.min(960, img.width); x++) {
      const i = 4 * (y * img.width + x);
      const [r, g, b] = [img.data[i], img.data[i + 1], img.data[i + 2]];
      if (Math.abs(r - bg[0]) + Math.abs(g - bg[1]) + Math.abs(b - bg[2]) <= 24 || g > r + 2) continue;
      s += f(r, g, b);
      n++;
    }
  return s / n;
}

/** Mean chroma (max − min of R, G, B) of the city's pixels. */
export const meanChroma = (png: Buffer) => meanOverCity(png, (r, g, b) => Math.max(r, g, b) - Math.min(r, g, b));

/** Mean luma (Rec. 709) of the city's pixels. */
export const meanLuma = (png: Buffer) => meanOverCity(png, (r, g, b) => 0.2126 * r + 0.7152 * g + 0.0722 * b);

/** Serve `glb` with `cityforge view`, open it (1280 × 800) in Chromium once the city is ready, run `body`; close both after. */
/**
 * Wait until the view on screen has drawn since it came on and then drew nothing over three animation
 * frames (`window.cityforge.quiet()`): a condition, not a fixed time a slower machine overruns.
 */
export async function settle(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForFunction('window.cityforge.quiet()', null, { timeout, polling: 100 });
}

export async function withViewerPage(glb: string, body: (page: Page) => Promise<void>, args: string[] = []): Promise<void> {
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

/**
 * The device pixels per CSS pixel every browser test draws (`?scale=`): SwiftShader's cost is the pixels it
 * fills, and the screenshots keep their CSS size (tests-took-a-quarter-hour: 0.5 halved the browser suites'
 * time; 0.35 takes a fifth more off). Tests of fine detail (windows, the legend's swatches) pass at it.
 */
export const TEST_SCALE = 0.35;

/** Start `cityforge view <target> --port 0`; resolves with the process and the URL it prints, drawn at `?scale=` {@link TEST_SCALE}. */
export async function startViewer(target: string, args: string[] = []): Promise<{ server: ChildProcess; url: string }> {
  const server = spawn(process.execPath, [path.join(ROOT, 'bin', 'cityforge.js'), 'view', target, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d) => {
      out += d;
      const m = /cityforge view: (http:\/\/\S+)/.exec(out);
      if (m) resolve(`${m[1]}?scale=${TEST_SCALE}`);
    });
    server.on('exit', (code) => reject(new Error(`cityforge view exited with ${code}`)));
  });
  return { server, url };
}
