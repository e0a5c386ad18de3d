import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page, type Route } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DATA, OUT, SHARED, freshDir } from '../helpers/fixtures.js';
import { cli } from '../helpers/cli.js';
import { expectValidGlb } from '../helpers/glb.js';
import { ROOT, CHROMIUM, FLAGS, BACKGROUND, highlightBox, pixelStats, plainShare, near, tinted, expectLegendDrawn, meanChroma, meanLuma, withViewerPage, settle, startViewer } from '../helpers/viewer.js';

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
      // legend-count-had-parts: the legend's "N of M shown" counts buildings as the stats line does (it said
      // 1,220 of Monaco's 1,208: the parts counted)
      await page.selectOption('#colour-by', 'height');
      const entries = page.locator('#legend button');
      await entries.first().click();
      expect(await page.textContent('#shown')).toMatch(new RegExp(` of ${n(summary.buildingsWritten - summary.partsWritten)} shown\\.$`));
      await entries.first().click();
      await page.selectOption('#colour-by', '');
      // find-needed-the-accents: "hotel de paris" finds the Hôtel de Paris (it found nothing)
      const hotel = await page.evaluate(() => (window as any).cityforge.model.table.name.indexOf('Hôtel de Paris'));
      expect(hotel).toBeGreaterThanOrEqual(0);
      await page.fill('#search-input', 'hotel de paris');
      await page.press('#search-input', 'Enter');
      await page.waitForFunction((i) => (window as any).cityforge.selected === i, hotel, { timeout: 10_000 });
      expect(await page.textContent('#search-result')).toBe('');
      await page.mouse.click(5, 200);
      await page.waitForFunction(() => (window as any).cityforge.selected === null, null, { timeout: 10_000 });
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
        return { id: t.id[i], name: t.name?.[i], ref: t.ref?.[i] };
      }, hoveredId);
      expect(await page.textContent('#tooltip')).toContain(row.name || row.ref || row.id);
      await page.mouse.click(pos.x, pos.y);
      expect(await page.evaluate(() => (window as any).cityforge.selectedId)).toBe(row.id);
      const href = await page.getAttribute('#selection [data-key="id"] a', 'href');
      const m = /^([nwr])(\d+)$/.exec(row.id)!;
      expect(href).toBe(`https://www.openstreetmap.org/${{ n: 'node', w: 'way', r: 'relation' }[m[1] as 'n']}/${m[2]}`);
      expect(await page.textContent('#selection [data-key="height"]')).toMatch(/ m(default, none usable in the data|from levels)?$/);
      // default-height-looked-measured: a building the data gives no height (most of Monaco's) says its
      // height is the default; one with a height tag does not
      const rows = await page.evaluate(() => {
        const t = (window as any).cityforge.model.table;
        return { dflt: t.height_from.indexOf('default'), data: t.height_from.indexOf('data') };
      });
      expect(rows.dflt).toBeGreaterThanOrEqual(0);
      expect(rows.data).toBeGreaterThanOrEqual(0);
      for (const [row, says] of [[rows.dflt, true], [rows.data, false]] as const) {
        await page.fill('#search-input', await page.evaluate((r) => String((window as any).cityforge.model.table.id[r]), row));
        await page.press('#search-input', 'Enter');
        await page.waitForFunction((r) => (window as any).cityforge.selected === r, row);
        expect((await page.textContent('#selection [data-key="height"]'))!.includes('default, none usable in the data')).toBe(says);
        expect(await page.locator('#selection td', { hasText: 'height_from' }).count()).toBe(0);
      }
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
        // basemap-checked-before-its-tiles-were-asked: MapLibre may say it has loaded everything before it has
        // asked for the tiles under the city; wait for those first, then until every tile it shows is drawn
        await vi.waitFor(() => expect(tiles.requests.some((r) => /^\/tiles\/12\/65[45]\/158[234]\.png$/.test(r)), tiles.requests.join(' ')).toBe(true), { timeout: 60_000, interval: 100 });
        expect(tiles.requests).toContain('/style.json');
        await page.waitForFunction('window.cityforge.baseMapLoading().then((l) => !l)', null, { timeout: 60_000, polling: 250 });
        const shot = await page.screenshot({ clip: { x: 0, y: 0, width: 960, height: 800 } });
        fs.writeFileSync(path.join(dir, 'map-basemap.png'), shot);
        // beside the city (the left edge of the view) the map, not the plain background
        expect(pixelStats(shot, { x0: 0, x1: 120 }).drawn).toBeGreaterThan(0.5);
        // (and no plain over it: map-view-had-no-ground draws one only where no base map is)
        expect(plainShare(shot)).toBeLessThan(0.01);
        expect(await page.textContent('#view-map .maplibregl-ctrl-attrib')).toContain('© OpenStreetMap contributors (test tiles)');
        // the map follows deck.gl's camera: a wheel zoom asks for the same tiles overzoomed, and the map moves with the city
        const before = await page.evaluate(() => (document.querySelector('#view-map .basemap canvas') as HTMLCanvasElement).toDataURL());
        await page.mouse.move(480, 400);
        for (let k = 0; k < 3; k++) await page.mouse.wheel(0, -300);
        await page.waitForFunction((b) => (document.querySelector('#view-map .basemap canvas') as HTMLCanvasElement).toDataURL() !== b, before, { timeout: 30_000 });
        // credits-overlapped: on a phone, the panel folded, the data's credit stands clear of the base map's
        await page.setViewportSize({ width: 390, height: 844 });
        if (!(await page.evaluate(() => document.getElementById('panel')!.classList.contains('collapsed')))) await page.click('#collapse');
        await page.waitForSelector('#credit', { state: 'visible' });
        const ours = (await page.locator('#credit').boundingBox())!;
        const theirs = (await page.locator('#view-map .maplibregl-ctrl-attrib').boundingBox())!;
        expect(ours.x < theirs.x + theirs.width && theirs.x < ours.x + ours.width && ours.y < theirs.y + theirs.height && theirs.y < ours.y + ours.height, JSON.stringify({ ours, theirs })).toBe(false);
        await page.screenshot({ path: path.join(dir, 'map-basemap-phone.png') });
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
      // fit-figures-were-raw: the DSM's coverage as a percentage, whether the ground was estimated in words
      expect(await page.textContent('#selection [data-key="fit:coverage"], #selection [data-key="fit_coverage"]')).toMatch(/^\d{1,3} %$/);
      expect(await page.textContent('#selection [data-key="fit:ground_estimated"], #selection [data-key="fit_ground_estimated"]')).toMatch(/^(no|yes \(no DTM under it: from the DSM\))$/);
      // tooltip-showed-the-row-number: hovered, the building is named by its ref, not the GeoPackage's row id
      const at = await page.evaluate(() => (window as any).cityforge.screenPositionOf((window as any).cityforge.selected));
      await page.mouse.move(at.x, at.y);
      await page.waitForFunction(() => !(document.getElementById('tooltip') as HTMLElement).hidden, null, { timeout: 10_000 });
      expect(await page.textContent('#tooltip')).toMatch(/^house · \d+(\.\d)? m$/);
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
      // find-counted-parts: a query its parts' rows match as well (they carry the outline's ref) is one building
      const rowsMatching = await page.evaluate(() => {
        const t = (window as any).cityforge.model.table;
        return t.ref.filter((v: unknown, i: number) => String(v ?? '').includes('hous') || String(t.id[i]).includes('hous')).length;
      });
      expect(rowsMatching).toBeGreaterThan(1);
      await page.fill('#search-input', 'hous');
      await page.press('#search-input', 'Enter');
      expect(await page.textContent('#search-result')).toMatch(/^No exact match; showing /);
      await page.fill('#search-input', outlineId);
      await page.press('#search-input', 'Enter');
      await page.waitForFunction((i) => (window as any).cityforge.selected === i, id, { timeout: 10_000 });
      expect(await page.textContent('#selection [data-key="fit_status"]')).toBe('parts');
      // outline-figures-read-as-one-roof: the outline's height, eave and roof shape say which part they are
      // from ("height 12 m, eave 0 m" read as one 12 m roof)
      const keyOf = async (plain: string) => page.evaluate((p) => Object.keys((window as any).cityforge.model.table).find((k) => k.replace(/[^A-Za-z0-9_]/g, '_') === p), plain);
      for (const [plain, note] of [['height', 'tallest part'], ['fit_eave', 'lowest part'], ['roof_shape', 'most of its area']]) {
        const k = await keyOf(plain);
        expect(k, plain).toBeDefined();
        expect(await page.textContent(`#selection [data-key="${k}"] .origin`), plain).toBe(note);
      }
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
      await settle(page);
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
  async function colours(name: string, extra: string[], terrain = true): Promise<{ model: ReturnType<typeof mapColours>; map: ReturnType<typeof mapColours>; errors: string[] }> {
    const dir = freshDir(`viewer-imagery-${name}`);
    const glb = path.join(dir, `${name}.glb`);
    const built = cli(['build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), ...(terrain ? ['--terrain', path.join(DATA, 'sf-terrarium-z12')] : []), ...extra, '-o', glb, '-q']);
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
    await settle(page);
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

  it('imagery-ground-fought-the-plain: imagery without terrain (a textured ground at the buildings\' base) shows in the model view too', async () => {
    // (before: the viewer's own plain, 5 cm under it, won the depth test across most of the ground: the
    // model view showed the plain's grey-beige, the map view the map)
    const flat = await colours('flat-imagery', ['--imagery', path.join(DATA, 'sf-osm-raster-z12')], false);
    expect(flat.errors).toEqual([]);
    // (the flat ground shows less of the map than the hills do: 4.9 % of the picture saturated; 0.006 % before the fix)
    for (const v of [flat.model, flat.map]) {
      expect(v.saturated).toBeGreaterThan(0.03);
      expect(v.yellow).toBeGreaterThan(0.01);
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
    // (without a terrain the buildings' shadows fall on the plain they stand on)
    expect(await page.evaluate(() => (window as any).cityforge.plainTakesShadows())).toBe(true);
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
    // tileset-about-had-no-date: and when (tileset.json's date, as a GLB's file date)
    const built = fs.statSync(path.join(tilesDir, 'tileset.json')).mtime.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
    expect(await page.textContent('#about')).toMatch(new RegExp(`^${builtCount} buildings in \\d+ tiles · 3D Tiles 1\\.1 · built by cityforge on ${built}$`));
    // the scale bar and compass follow the tileset's view too (they stood empty)
    expect(await page.textContent('#scale .label')).toMatch(/^\d+ (m|km)$/);
    const shot = await page.screenshot({ clip: { x: 0, y: 0, width: 960, height: 800 } });
    fs.writeFileSync(path.join(OUT, 'viewer-tiles', 'tileset-view.png'), shot);
    expect(pixelStats(shot).building).toBeGreaterThan(0.01);
    modelLuma = meanLuma(shot);
    modelChroma = meanChroma(shot);
    const b = await page.evaluate(() => (window as any).cityforge.someBuilding());
    expect(b).not.toBeNull();
    // hover: the building under the pointer is highlighted (tinted: the highlight blended over it)
    await page.mouse.move(b.x, b.y);
    await page.waitForFunction((id) => (window as any).cityforge.hoveredId === id, b.id, { timeout: 10_000 });
    await settle(page);
    expect(await page.evaluate(() => (window as any).cityforge.hoveredId)).toBe(b.id);
    const lit = await page.screenshot({ clip: { x: 0, y: 0, width: 960, height: 800 } });
    fs.writeFileSync(path.join(OUT, 'viewer-tiles', 'tileset-view-hover.png'), lit);
    expect(tinted(shot, lit)).toBeGreaterThan(20);
    await page.mouse.click(b.x, b.y);
    await page.waitForFunction((id) => (window as any).cityforge.selectedId === id, b.id, { timeout: 10_000 });
    await settle(page);
    expect(await page.evaluate(() => (window as any).cityforge.selectedId)).toBe(b.id);
    expect(await page.textContent('#selection [data-key="id"]')).toBe(b.id);
    // off the building: the highlight stays on the selection; over the sky nothing is hovered
    await page.mouse.move(5, 5);
    await page.waitForFunction(() => (window as any).cityforge.hoveredId === null, null, { timeout: 10_000 });
    await settle(page);
    expect(await page.evaluate(() => (window as any).cityforge.hoveredId)).toBeNull();
  });

  it('tileset-hover-stale-after-zoom: the camera moved under a resting pointer (arrow keys), the hover is what now lies under it', async () => {
    const b = await page.evaluate(() => (window as any).cityforge.someBuilding());
    await page.mouse.move(b.x, b.y);
    await page.waitForFunction((id) => (window as any).cityforge.hoveredId === id, b.id, { timeout: 10_000 });
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    for (let k = 0; k < 12; k++) await page.keyboard.press('ArrowLeft');
    await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 60_000 });
    await settle(page);
    const rested = await page.evaluate(() => (window as any).cityforge.hoveredId);
    // what a pointer move there picks afresh
    await page.mouse.move(b.x + 1, b.y);
    await page.mouse.move(b.x, b.y);
    await settle(page);
    const fresh = await page.evaluate(() => (window as any).cityforge.hoveredId);
    expect(fresh).not.toBe(b.id);
    expect(rested).toBe(fresh);
    await page.mouse.move(5, 5);
    await page.click('#home');
    await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 60_000 });
    await settle(page);
  });

  it('tileset-had-no-link: the address keeps the camera and the selected building; a fresh page on it looks from there and selects it once its tile arrives', async () => {
    // (the camera at rest, and in the address: the test before went home, and the address is written 0.35 s
    // after a change; the building it selects is this one, so "b=" alone did not wait for the new camera:
    // link-test-read-the-address-too-soon)
    await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 60_000 });
    await settle(page);
    await page.waitForFunction(() => {
      const s = (window as any).cityforge.cameraState();
      return new URLSearchParams(location.hash.slice(1)).get('cam') === [...s.position, ...s.target].map((v: number) => Math.round(v * 10) / 10).join(',');
    });
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
    await settle(p2);
    expect(await p2.evaluate(() => (window as any).cityforge.selectedId)).toBe(b.id);
    expect(new URLSearchParams(new URL(p2.url()).hash.slice(1)).get('b')).toBe(b.id);
    await p2.mouse.move(b.x, b.y);
    await p2.waitForFunction((id) => (window as any).cityforge.hoveredId === id, b.id, { timeout: 10_000 });
    await p2.close();
    // link-looked-broken: while a linked building's tile is on its way the panel says it is being looked for
    // (a building no tile holds: it stays on its way)
    const p3 = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await p3.goto(link.replace(/#b=[^&]+/, '#b=zz-no-such-building'));
    await p3.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120_000 });
    expect(await p3.textContent('#selection')).toBe('Finding zz-no-such-building: it is selected once its tile has loaded…');
    await p3.close();
    // link-ignored-once-open: the open page follows a link pasted into its address bar: without the
    // building, nothing selected; with it, selected again
    await page.evaluate((c) => (location.hash = `#cam=${c}`), cam);
    await page.waitForFunction(() => (window as any).cityforge.selectedId === null, null, { timeout: 10_000 });
    await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 60_000 });
    // (it failed in CI: the page's own address write, due 0.35 s after the deselection, ran between the new
    // address and its hashchange event, and the page read its old state back; that write comes first here)
    await page.evaluate(([h, c]) => {
      location.hash = h;
      history.replaceState(null, '', `#cam=${c}`);
    }, [new URL(link).hash, cam]);
    const before = await page.evaluate(() => JSON.stringify((window as any).cityforge.linkState()));
    const ok = await page.waitForFunction((id) => (window as any).cityforge.selectedId === id, b.id, { timeout: 60_000 }).then(() => true, () => false);
    // (it failed twice in CI and never here: what the page was looking for, and where it found the building)
    if (!ok) console.log(`link-ignored-once-open: ${b.id} at cam=${cam} not selected; on the link ${before}; 60 s later ${await page.evaluate(() => JSON.stringify((window as any).cityforge.linkState()))}`);
    expect(ok).toBe(true);
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
    // tileset-tap-had-no-feedback: with the panel folded, a tap on a building names it where it was tapped
    const b = await p.evaluate(() => (window as any).cityforge.someBuilding());
    expect(b).not.toBeNull();
    await p.mouse.click(b.x, b.y);
    await p.waitForFunction((id) => (window as any).cityforge.selectedId === id, b.id, { timeout: 10_000 });
    expect(await p.isVisible('#tooltip')).toBe(true);
    expect(await p.textContent('#tooltip')).toContain(b.id);
    const tip = await p.locator('#tooltip').boundingBox();
    expect(tip!.x).toBeGreaterThanOrEqual(0);
    expect(tip!.x + tip!.width).toBeLessThanOrEqual(390);
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
    await settle(page);
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
    // (tinted towards the highlight's cyan over the ramp's colour)
    expect(tinted(coloured, lit)).toBeGreaterThan(20);
    await page.mouse.move(5, 5);
    await page.waitForFunction('window.cityforge.hoveredId === null');
    await settle(page);
    const after = await page.screenshot({ clip: { x: 0, y: 0, width: 960, height: 800 } });
    expect(inLegend(after)).toBeGreaterThan(inLegend(plain) + 0.05);
    // tileset-legend-did-not-filter: an entry hides its buildings in every tile (drawn and picked), and the
    // address keeps it; a second click shows them again
    const commonest = colours.map((c: number[]) => near(after, c)).reduce((best: number, v: number, i: number, all: number[]) => (v > all[best] ? i : best), 0);
    await page.click(`#legend button[data-bin="${commonest}"]`);
    await page.waitForFunction((bin) => new URLSearchParams(location.hash.slice(1)).get('hide') === String(bin), commonest);
    await settle(page);
    const filtered = await page.screenshot({ path: path.join(OUT, 'viewer-tiles', 'tileset-filtered.png'), clip: { x: 0, y: 0, width: 960, height: 800 } });
    // tileset-legend-had-no-count: the panel says how many buildings the legend shows (from the tileset's
    // statistics); hiding each entry in turn hides every building exactly once
    const total = json.asset.extras.cityforge.buildings + (json.asset.extras.cityforge.parts ?? 0);
    const shownNow = await page.evaluate(() => (window as any).cityforge.visibleCount);
    expect(shownNow).toBeGreaterThan(0);
    expect(shownNow).toBeLessThan(total);
    expect(await page.textContent('#shown')).toBe(`${shownNow.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} shown.`);
    expect(near(filtered, colours[commonest])).toBeLessThan(0.2 * near(after, colours[commonest]));
    await page.click(`#legend button[data-bin="${commonest}"]`);
    await settle(page);
    const unfiltered = await page.screenshot({ clip: { x: 0, y: 0, width: 960, height: 800 } });
    expect(near(unfiltered, colours[commonest])).toBeGreaterThan(0.8 * near(after, colours[commonest]));
    let hiddenOnce = 0;
    for (let k = 0; k < styling.legend.length; k++) {
      await page.click(`#legend button[data-bin="${k}"]`);
      hiddenOnce += total - (await page.evaluate(() => (window as any).cityforge.visibleCount));
      await page.click(`#legend button[data-bin="${k}"]`);
    }
    expect(hiddenOnce).toBe(total);
    expect(await page.textContent('#shown')).toBe('');
    await page.selectOption('#colour-by', '');
    expect(await page.isHidden('#legend')).toBe(true);
    await settle(page);
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
    await settle(page);
    expect(await page.evaluate(() => (window as any).cityforge.selectedId)).toBe(target);
    await page.screenshot({ path: path.join(OUT, 'viewer-tiles', 'tileset-found.png'), clip: { x: 0, y: 0, width: 960, height: 800 } });
    await page.fill('#search-input', 'no such building zzz');
    await page.press('#search-input', 'Enter');
    await page.waitForFunction(() => /No building/.test(document.getElementById('search-result')!.textContent ?? ''));
    // found-building-was-hidden: with every legend entry hidden, the found building's entry is shown again
    await page.click('#home');
    await page.selectOption('#colour-by', 'height');
    const entries = page.locator('#legend button');
    const n = await entries.count();
    for (let k = 0; k < n; k++) await entries.nth(k).click();
    await page.mouse.click(5, 5);
    await page.waitForFunction(() => (window as any).cityforge.selectedId === null);
    await page.fill('#search-input', target);
    await page.press('#search-input', 'Enter');
    await page.waitForFunction((id) => (window as any).cityforge.selectedId === id, target, { timeout: 60_000 });
    expect(await page.textContent('#search-result')).toMatch(/was hidden by the legend; its entry “.+” is shown again\.$/);
    expect(await page.locator('#legend button[aria-pressed="true"]').count()).toBe(1);
    await page.selectOption('#colour-by', '');
    await page.click('#home');
    await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 60_000 });
  });

  /** Find (by its id, through the find index) the first building the index places in a leaf tile; selected once drawn. */
  async function findLeafBuilding(): Promise<string> {
    const json = JSON.parse(fs.readFileSync(path.join(tilesDir, 'tileset.json'), 'utf8'));
    let target = '';
    for (const b of json.asset.extras.cityforge.find.buckets) {
      const bucket = JSON.parse(fs.readFileSync(path.join(tilesDir, 'find', `${b}.json`), 'utf8'));
      for (const [key, entries] of Object.entries(bucket) as [string, [string, string][]][]) for (const e of entries) if (!target && e[0].toLowerCase() === key && /^\d+\/\d+\/\d+$/.test(e[1])) target = e[0];
    }
    await page.fill('#search-input', target);
    await page.press('#search-input', 'Enter');
    await page.waitForFunction((id) => (window as any).cityforge.selectedId === id, target, { timeout: 60_000 });
    return target;
  }

  it('the-selection-stayed-after-refining: a building selected in a tile that is no longer drawn (the view moved to coarser tiles) is no longer selected', async () => {
    // a building selected in its leaf (found: the view flies to it; the first view shows the whole city, its
    // far side in coarse tiles that stay drawn further out)
    const target = await findLeafBuilding();
    await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 60_000 });
    await settle(page);
    expect(await page.evaluate(() => (window as any).cityforge.selectedId)).toBe(target);
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
    // map-view-loading-unsaid: until its first tile is drawn the map view said nothing (a click then picked
    // nothing, and a user on a slow link saw no reason); the tiles are held back until the panel says so
    const held: Route[] = [];
    let hold = true;
    const holder = (route: Route) => (hold ? void held.push(route) : void route.continue());
    await page.route(/\.glb/, holder);
    await page.click('#toggle');
    expect(await page.evaluate(() => (window as any).cityforge.view)).toBe('map');
    await page.waitForFunction(() => /^Loading tiles… \(a building can be clicked once its tile is drawn\)$/.test(document.getElementById('tiles-drawn')?.textContent ?? ''), null, { timeout: 30_000 });
    hold = false;
    for (const r of held.splice(0)) await r.continue();
    await page.unroute(/\.glb/, holder);
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
    await settle(page);
    const drawnPlain = await page.textContent('#tiles-drawn');
    expect(drawnPlain).toMatch(/^Drawn: \d+ tiles?/);
    // (the first view shows the whole tileset beside the panel: the city covers about a seventh of the clip)
    expect(pixelStats(shot).drawn).toBeGreaterThan(0.1);
    // map-view-had-no-ground: the tiles stand on the model view's plain, at the tileset's bottom (not over them)
    expect(plainShare(shot)).toBeGreaterThan(0.2);
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
    await page.waitForFunction((id) => (window as any).cityforge.hoveredId === id, b.id, { timeout: 10_000 });
    await settle(page);
    expect(await page.evaluate(() => (window as any).cityforge.hoveredId)).toBe(b.id);
    const lit = await page.screenshot({ clip: { x: 0, y: 0, width: 960, height: 800 } });
    fs.writeFileSync(path.join(OUT, 'viewer-tiles', 'tileset-map-view-hover.png'), lit);
    expect(tinted(shot, lit)).toBeGreaterThan(20);
    await page.mouse.click(b.x, b.y);
    await page.waitForFunction((id) => (window as any).cityforge.selectedId === id, b.id, { timeout: 10_000 });
    await settle(page);
    expect(await page.evaluate(() => (window as any).cityforge.selectedId)).toBe(b.id);
    // tileset-map-selection-unlit: off the building, the selected one stays lit (the map view lit only
    // the building under the pointer)
    await page.mouse.move(5, 5);
    await page.waitForFunction(() => (window as any).cityforge.hoveredId === null, null, { timeout: 10_000 });
    await settle(page);
    const away = await page.screenshot({ clip: { x: 0, y: 0, width: 960, height: 800 } });
    fs.writeFileSync(path.join(OUT, 'viewer-tiles', 'tileset-map-view-selected.png'), away);
    expect(pixelStats(away).highlight).toBeGreaterThan(pixelStats(shot).highlight + 20);
    // nor did the map view ask for tileset.json again
    expect(rootRequests).toHaveLength(1);
    // tileset-map-view-had-no-colour-by: the same colours in the map view, on the tiles it shows; hover over them
    await page.mouse.click(5, 5);
    // (what the plain view draws read again just before: loaders.gl may still have refined since the first reading)
    await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 60_000 });
    await settle(page);
    const drawnBefore = await page.textContent('#tiles-drawn');
    await page.selectOption('#colour-by', 'height');
    const styling = await page.evaluate(() => (window as any).cityforge.styling);
    await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 60_000 });
    await settle(page);
    // map-view-blocks-over-buildings: coloured, the map view draws the tiles it drew plain (loaders.gl kept the
    // root and the blocks selected under the leaves, and they were drawn over the buildings)
    // (a condition, not one reading: loaders.gl may still be swapping a tile at the edge of its distance)
    await page.waitForFunction((t) => document.getElementById('tiles-drawn')?.textContent === t, drawnBefore, { timeout: 30_000 }).catch(() => undefined);
    const coloured = await page.screenshot({ path: path.join(OUT, 'viewer-tiles', 'tileset-map-colour-by-height.png'), clip: { x: 0, y: 0, width: 960, height: 800 } });
    expect(await page.textContent('#tiles-drawn')).toBe(drawnBefore);
    const { colours, inLegend } = expectLegendDrawn(styling.legend, coloured, shot);
    const b2 = await page.evaluate(() => (window as any).cityforge.someBuilding());
    await page.mouse.move(b2.x, b2.y);
    await page.waitForFunction((id) => (window as any).cityforge.hoveredId === id, b2.id);
    // zoomed in, the finer tiles come coloured too
    // (from the first view, which shows the whole tileset beside the panel: far enough in that both views draw leaves)
    await page.mouse.move(480, 450);
    for (let k = 0; k < 4; k++) await page.mouse.wheel(0, -300);
    await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 60_000 });
    await settle(page);
    const closer = await page.screenshot({ path: path.join(OUT, 'viewer-tiles', 'tileset-map-colour-by-closer.png'), clip: { x: 0, y: 0, width: 960, height: 800 } });
    expect(inLegend(closer)).toBeGreaterThan(0.05);
    // the legend's filter in the map view too
    const top = colours.map((c: number[]) => near(closer, c)).reduce((best: number, v: number, i: number, all: number[]) => (v > all[best] ? i : best), 0);
    await page.click(`#legend button[data-bin="${top}"]`);
    await settle(page);
    const mapFiltered = await page.screenshot({ clip: { x: 0, y: 0, width: 960, height: 800 } });
    expect(near(mapFiltered, colours[top])).toBeLessThan(0.2 * near(closer, colours[top]));
    await page.selectOption('#colour-by', '');
    await settle(page);
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
    // tileset-switch-dropped-the-selection: a building selected in one view stays selected while the other
    // view's tiles stream in: its attributes in the panel, its id in the address, selected once drawn
    const target = await findLeafBuilding();
    const linkOf = () => new URLSearchParams(new URL(page.url()).hash.slice(1)).get('b');
    // (the address is written 0.35 s after a change: link-test-read-the-address-too-soon)
    await page.waitForFunction((id) => new URLSearchParams(location.hash.slice(1)).get('b') === id, target);
    await page.click('#toggle');
    expect(await page.evaluate(() => (window as any).cityforge.view)).toBe('map');
    expect(linkOf()).toBe(target);
    expect(await page.textContent('#selection [data-key="id"]')).toBe(target);
    await page.mouse.move(5, 5);
    expect(linkOf()).toBe(target);
    await page.click('#toggle');
    await page.waitForFunction((id) => (window as any).cityforge.selectedId === id && (window as any).cityforge.selected !== null, target, { timeout: 60_000 });
    expect(linkOf()).toBe(target);
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
      await settle(page);
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

describe('viewer on a tileset over hills (tiles --terrain)', () => {
  let dir: string;
  let out: string;
  beforeAll(() => {
    dir = freshDir('viewer-tiles-hills');
    out = path.join(dir, 'tiles');
    const built = cli(['tiles', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--terrain', path.join(DATA, 'sf-terrain-3857.tif'), '--max-buildings', '500', '-o', out, '-q']);
    expect(built.code, built.stderr).toBe(0);
  });

  it('tileset-orbit-point-in-mid-air: once the tiles are drawn the first view turns about the ground (it turned about the root box\'s middle, 46 m up), and home returns there; a wheel step zooms towards the pointer', async () => {
    await withViewerPage(out, async (page) => {
      await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 120_000 });
      await settle(page);
      const first = await page.evaluate(() => (window as any).cityforge.cameraState());
      expect(Math.abs(first.targetAboveGround)).toBeLessThan(2);
      // shadows-on-the-plain: under a terrain the plain takes no shadows (the terrain's edges cast wedges on it)
      expect(await page.evaluate(() => (window as any).cityforge.plainTakesShadows())).toBe(false);
      // a wheel step away from the middle: the orbit point moves towards the pointer, and stays on the ground
      await page.mouse.move(300, 600);
      await page.mouse.wheel(0, -300);
      await settle(page);
      const zoomed = await page.evaluate(() => (window as any).cityforge.cameraState());
      expect(zoomed.target).not.toEqual(first.target);
      await page.click('#home');
      await settle(page);
      const home = await page.evaluate(() => (window as any).cityforge.cameraState());
      expect(home.target).toEqual(first.target);
      expect(Math.abs(home.targetAboveGround)).toBeLessThan(2);
      // tileset-double-click-did-nothing: a double-click orbits about the point under it from half as far
      const d0 = Math.hypot(...home.position.map((v: number, k: number) => v - home.target[k]));
      await page.mouse.dblclick(500, 500);
      await settle(page);
      const focused = await page.evaluate(() => (window as any).cityforge.cameraState());
      expect(focused.target).not.toEqual(home.target);
      expect(Math.hypot(...focused.position.map((v: number, k: number) => v - focused.target[k]))).toBeLessThan(0.6 * d0);
      await page.click('#home');
      await settle(page);
      // tileset-phone-orbit-point-in-mid-air: a portrait screen's first view (stepped back to fit the width)
      // turns about the ground too
      const phone = await page.context().browser()!.newPage({ viewport: { width: 390, height: 844 } });
      await phone.goto(page.url().split('#')[0]);
      await phone.waitForFunction('window.cityforge && window.cityforge.ready && window.cityforge.tilesSettled()', null, { timeout: 120_000 });
      await settle(phone);
      expect(Math.abs((await phone.evaluate(() => (window as any).cityforge.cameraState())).targetAboveGround)).toBeLessThan(2);
      await phone.close();
    });
  }, 300_000);

  it('tileset-map-camera-ignored-the-terrain (map view): twenty wheel steps at the top of the highest hill keep the city on the screen', async () => {
    await withViewerPage(out, async (page) => {
      await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 120_000 });
      await page.click('#toggle');
      await page.waitForFunction('window.cityforge.view === "map"');
      await page.click('#home');
      await page.waitForFunction('window.cityforge.highestGround() !== null', null, { timeout: 60_000 });
      await settle(page);
      const first = await page.evaluate(() => (window as any).cityforge.nav());
      const top = await page.evaluate(() => (window as any).cityforge.highestGround());
      const camBefore = await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get('cam'));
      await page.mouse.move(top.x, top.y);
      for (let k = 0; k < 20; k++) {
        await page.mouse.wheel(0, -240);
        await page.waitForTimeout(100);
      }
      await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 120_000 });
      await settle(page);
      // map-wheel-left-the-link-behind: the address follows a wheel zoom in the map view (it kept a camera from
      // before the last wheel steps until a drag)
      await page.waitForFunction(() => new URLSearchParams(location.hash.slice(1)).get('cam') === (window as any).cityforge.linkCamera(), null, { timeout: 20_000 });
      expect(await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get('cam'))).not.toBe(camBefore);
      const shot = await page.screenshot({ path: path.join(dir, 'map-zoomed-hilltop.png'), clip: { x: 0, y: 0, width: 960, height: 800 } });
      expect((await page.evaluate(() => (window as any).cityforge.nav())).metresPerPixel).toBeLessThan(first.metresPerPixel / 8);
      // the hill and its buildings fill the view: not the background of a camera inside the hill
      expect(pixelStats(shot).drawn).toBeGreaterThan(0.6);
    });
    // (the map view's tiles stream in twice, at the first view and on the hilltop, each waited for until
    // drawn: about a minute each in SwiftShader on a busy 2-core machine)
  }, 300_000);
});

/** In a Monaco tileset's page: Find "hotel de paris", once its tiles have come, and wait until it is selected and drawn. */
async function findHotelDeParis(page: Page): Promise<void> {
  await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 120_000 });
  await page.fill('#search-input', 'hotel de paris');
  await page.press('#search-input', 'Enter');
  await page.waitForFunction(() => document.querySelector('#selection [data-key="name"]')?.textContent === 'Hôtel de Paris', null, { timeout: 60_000 });
  await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 120_000 });
  await settle(page);
}

describe('Find frames the building (Monaco: a GLB and a tileset)', () => {
  /** The highlighted building's pixels in the view beside the panel: many, none at its edges. */
  async function expectWholeInView(page: Page, file: string): Promise<void> {
    const panel = (await page.locator('#panel').boundingBox())!;
    const shot = await page.screenshot({ path: file });
    const box = highlightBox(shot, 0, panel.x);
    expect(box.n).toBeGreaterThan(2000);
    expect(box.x0, JSON.stringify(box)).toBeGreaterThan(2);
    expect(box.y0, JSON.stringify(box)).toBeGreaterThan(2);
    expect(box.x1, JSON.stringify(box)).toBeLessThan(panel.x - 3);
    expect(box.y1, JSON.stringify(box)).toBeLessThan(box.height - 3);
  }

  const VIENNA = path.join(SHARED, 'inverse-vienna', 'source.city.jsonl');
  it.skipIf(!fs.existsSync(VIENNA))('search-cut-off-a-tall-building: Find on a GLB shows the whole of a 27 m Vienna block, from its foot to its top (it turned about the top, and the foot ran off the bottom of the screen; ../shared/data/inverse-vienna, skipped when absent)', async () => {
    const dir = freshDir('viewer-find-tall');
    const glb = path.join(dir, 'vienna.glb');
    const built = cli(['build', VIENNA, '--s-srs', 'EPSG:31256', '-o', glb, '-q']);
    expect(built.code, built.stderr).toBe(0);
    await withViewerPage(glb, async (page) => {
      await page.fill('#search-input', 'UUID_LOD2_011524-0e2a1690-8fb1-407a-a25d');
      await page.press('#search-input', 'Enter');
      await page.waitForFunction(() => (window as any).cityforge.selected !== null, null, { timeout: 60_000 });
      await settle(page);
      await expectWholeInView(page, path.join(dir, 'found-vienna-block.png'));
    });
  }, 300_000);

  it('search-flew-into-a-large-building: Find "hotel de paris" shows the whole Hôtel de Paris (the index gives its height and size), inside the view beside the panel; it filled the screen from 120 m', async () => {
    const dir = freshDir('viewer-tiles-monaco');
    const out = path.join(dir, 'tiles');
    const built = cli(['tiles', path.join(DATA, 'monaco.osm.pbf'), '--max-buildings', '200', '-o', out, '-q']);
    expect(built.code, built.stderr).toBe(0);
    await withViewerPage(out, async (page) => {
      await findHotelDeParis(page);
      await expectWholeInView(page, path.join(dir, 'found-hotel-de-paris.png'));
    });
  }, 300_000);
});

describe('a link colours by an attribute named as the panel names it', () => {
  it('by-title-ignored: #by=building:levels (the attribute as shown; its column is building_levels) colours by it', async () => {
    const dir = freshDir('viewer-by-title');
    const features = Array.from({ length: 12 }, (_, i) => ({ type: 'Feature', properties: { building: 'yes', 'building:levels': 1 + (i % 4) }, geometry: { type: 'Polygon', coordinates: [[[7.42 + i * 3e-4, 43.73], [7.4202 + i * 3e-4, 43.73], [7.4202 + i * 3e-4, 43.7302], [7.42 + i * 3e-4, 43.73]]] } }));
    const file = path.join(dir, 'levels.geojson');
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features }));
    const glb = path.join(dir, 'levels.glb');
    const built = cli(['build', file, '-o', glb, '-q', '--attribution', 'test']);
    expect(built.code, built.stderr).toBe(0);
    await withViewerPage(glb, async (page) => {
      const options = await page.locator('#colour-by option').evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent]));
      expect(options).toContainEqual(['building_levels', 'building:levels']);
      await page.goto(page.url().replace(/#.*/, '') + '#by=building:levels');
      await page.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120_000 });
      await page.waitForFunction(() => (window as any).cityforge.styling?.column === 'building_levels', null, { timeout: 30_000 });
      expect(await page.inputValue('#colour-by')).toBe('building_levels');
    });
  }, 300_000);
});

describe('a tileset\'s selection in the map view (Monaco)', () => {
  /** The highlight's pixels left of the panel: how many, how many shaded (walls: green under 150), their mean colour. */
  function highlightPixels(png: Buffer, x1: number): { n: number; shaded: number; mean: number[] } {
    const img = PNG.sync.read(png);
    let n = 0, shaded = 0;
    const sum = [0, 0, 0];
    for (let y = 0; y < img.height; y++)
      for (let x = 0; x < Math.min(x1, img.width); x++) {
        const i = 4 * (y * img.width + x);
        const [r, g, b] = [img.data[i], img.data[i + 1], img.data[i + 2]];
        if (!(b > 90 && b - r > 60 && g - r > 40)) continue;
        n++;
        if (g < 150) shaded++;
        sum[0] += r, sum[1] += g, sum[2] += b;
      }
    return { n, shaded, mean: sum.map((v) => v / Math.max(n, 1)) };
  }

  it('map-view-never-lit-the-selection, tiles-highlight-lost-its-walls, tiles-highlight-glared: a building found in the model view is highlighted in the map view whole, walls included, in the model view\'s cyan', async () => {
    const dir = freshDir('viewer-tiles-map-highlight');
    const out = path.join(dir, 'tiles');
    // (one tile: its table came before deck.gl drew it, and the building was never looked for again)
    const built = cli(['tiles', path.join(DATA, 'monaco.osm.pbf'), '-o', out, '-q']);
    expect(built.code, built.stderr).toBe(0);
    await withViewerPage(out, async (page) => {
      await findHotelDeParis(page);
      const panel = (await page.locator('#panel').boundingBox())!;
      const model = highlightPixels(await page.screenshot({ path: path.join(dir, 'model-view.png') }), panel.x);
      expect(model.n).toBeGreaterThan(2000);
      await page.click('#toggle');
      // (the map view streams its own tiles: the building is selected once one of them is drawn)
      await page.waitForFunction(() => (window as any).cityforge.view === 'map' && (window as any).cityforge.selected !== null, null, { timeout: 60_000 });
      await page.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 120_000 });
      await settle(page);
      const map = highlightPixels(await page.screenshot({ path: path.join(dir, 'map-view.png') }), panel.x);
      // the same camera: about as many highlighted pixels, as many of them on the shaded walls
      expect(map.n, JSON.stringify({ model, map })).toBeGreaterThan(0.9 * model.n);
      expect(map.shaded, JSON.stringify({ model, map })).toBeGreaterThan(0.7 * model.shaded);
      // the same cyan (it glared at rgb(37, 247, 251) against the model view's rgb(34, 181, 211))
      for (const c of [1, 2]) expect(Math.abs(map.mean[c] - model.mean[c]), JSON.stringify({ model, map })).toBeLessThan(10);
    });
  }, 300_000);
});

describe('the attribute table keeps its values readable', () => {
  it('attribute-names-crushed-the-values: a long attribute name (Vienna\'s NiedrigsteTraufeDesGebaeudes) wraps in its own column; values keep the rest, a word unbroken', async () => {
    const dir = freshDir('viewer-long-keys');
    const input = path.join(dir, 'vienna-like.geojson');
    const ring = [[16.37, 48.2], [16.3702, 48.2], [16.3702, 48.2002], [16.37, 48.2002], [16.37, 48.2]];
    fs.writeFileSync(input, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: 'Stephansplatz 1', height: 23.36, NiedrigsteTraufeDesGebaeudes: 56, roofType: 'SATTELDACH' }, geometry: { type: 'Polygon', coordinates: [ring] } }] }));
    const glb = path.join(dir, 'city.glb');
    const built = cli(['build', input, '-o', glb, '-q']);
    expect(built.code, built.stderr).toBe(0);
    await withViewerPage(glb, async (page) => {
      await page.fill('#search-input', 'Stephansplatz 1');
      await page.press('#search-input', 'Enter');
      await page.waitForSelector('#selection [data-key="roofType"]');
      const cells = await page.evaluate(() => {
        const row = (k: string) => {
          const td = document.querySelector(`#selection [data-key="${k}"]`) as HTMLElement;
          const key = td.parentElement!.firstElementChild as HTMLElement;
          return { key: key.getBoundingClientRect().width, value: td.getBoundingClientRect().width, valueHeight: td.getBoundingClientRect().height, line: parseFloat(getComputedStyle(td).lineHeight) || 18 };
        };
        const table = document.querySelector('#selection table')!;
        return { long: row('NiedrigsteTraufeDesGebaeudes'), roof: row('roofType'), table: table.getBoundingClientRect().width, panel: document.getElementById('panel')!.scrollWidth - document.getElementById('panel')!.clientWidth };
      });
      // the values' column keeps over half the table, and SATTELDACH stands on one line (it broke as SATTELDA/CH)
      expect(cells.long.value, JSON.stringify(cells)).toBeGreaterThan(0.5 * cells.table);
      expect(cells.roof.valueHeight, JSON.stringify(cells)).toBeLessThan(1.6 * cells.roof.line);
      // and nothing scrolls sideways
      expect(cells.panel).toBe(0);
      await page.locator('#panel').screenshot({ path: path.join(dir, 'panel.png') });
    });
  }, 300_000);
});
