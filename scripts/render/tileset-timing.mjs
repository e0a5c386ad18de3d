// Time a tileset's streaming in the viewer, as a person opening it waits for it (bench/RESULTS.md):
//   node bin/cityforge.js tiles data/sf-mvt --terrain data/sf-terrarium-z12 --ground-map -o out/sft
//   node bin/cityforge.js view out/sft --port 8766 &   node scripts/render/tileset-timing.mjs http://127.0.0.1:8766/
// Prints milliseconds from opening the page to: the viewer ready, the first building that can be picked, every
// tile wanted drawn and pickable (settled); then the same after switching to the map view.
import { chromium } from 'playwright-core';
const [url] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader'] });
const pg = await b.newPage({ viewport: { width: 1280, height: 800 } });
const t0 = Date.now();
await pg.goto(url);
await pg.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120000 });
const ready = Date.now() - t0;
await pg.waitForFunction('window.cityforge.someBuilding()', null, { timeout: 120000, polling: 100 });
const pickable = Date.now() - t0;
await pg.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 180000 });
console.log(`model view: ready ${ready} ms, first pickable building ${pickable} ms, settled ${Date.now() - t0} ms (${await pg.evaluate(() => cityforge.tilesLoaded())} tiles)`);
const t1 = Date.now();
await pg.click('#toggle');
await pg.waitForFunction('window.cityforge.someBuilding()', null, { timeout: 120000, polling: 100 });
const mapPickable = Date.now() - t1;
await pg.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 180000 });
console.log(`map view: first pickable building ${mapPickable} ms, settled ${Date.now() - t1} ms (${await pg.evaluate(() => cityforge.tilesLoaded())} tiles)`);
await b.close();
