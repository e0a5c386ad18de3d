// Screenshots of the viewer on a tileset (both views, a building hovered and one picked) for docs/TILES.md:
//   node bin/cityforge.js tiles data/sf-mvt --terrain data/sf-terrain-3857.tif -o out/sf-tiles --jobs 2
//   node bin/cityforge.js view out/sf-tiles --port 8766 &   node scripts/render/tiles-shots.mjs http://127.0.0.1:8766/ docs/img
import { chromium } from 'playwright-core';
// (pictures with smooth edges: the viewer leaves antialiasing off in software WebGL unless asked)
const aa = (u) => { const x = new URL(u); x.searchParams.set('antialias', '1'); return x.href; };
const [url, dir] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--enable-unsafe-swiftshader'] });
const pg = await b.newPage({ viewport: { width: 1280, height: 800 } });
await pg.goto(aa(url));
await pg.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120000 });
await pg.waitForFunction('window.cityforge.tilesLoaded() >= 4', null, { timeout: 120000 });
await pg.waitForTimeout(4000);
for (const [view, name] of [['model', 'tiles-model.png'], ['map', 'tiles-map.png']]) {
  if (view === 'map') {
    await pg.click('#toggle');
    await pg.waitForFunction('window.cityforge.tilesLoaded() >= 4', null, { timeout: 120000 });
    await pg.waitForTimeout(5000);
  }
  const hit = await pg.evaluate(() => cityforge.someBuilding());
  if (hit) {
    await pg.mouse.click(hit.x, hit.y);
    await pg.mouse.move(hit.x, hit.y);
    await pg.waitForTimeout(500);
  }
  await pg.screenshot({ path: `${dir}/${name}` });
}
await b.close();
