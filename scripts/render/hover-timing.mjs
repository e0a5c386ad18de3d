// The viewer's JS time per hover change on a whole city, for bench/RESULTS.md:
//   node bin/cityforge.js view out/sf.glb --port 8765 &   node scripts/render/hover-timing.mjs http://127.0.0.1:8765/
import { chromium } from 'playwright-core';
const url = process.argv[2];
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--enable-unsafe-swiftshader'] });
const pg = await b.newPage({ viewport: { width: 1280, height: 800 } });
await pg.goto(url);
await pg.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 180000 });
const sweep = async () => { for (let k = 0; k < 40; k++) { await pg.mouse.move(100 + 20 * k, 300 + 8 * k); await pg.waitForTimeout(20); } };
const med = (v) => [...v].sort((a, c) => a - c)[v.length >> 1];
await sweep();
const model = await pg.evaluate(() => cityforge.hoverTimes.slice());
await pg.click('#toggle'); await pg.waitForTimeout(3000);
await pg.evaluate(() => (cityforge.hoverTimes.length = 0));
await sweep();
const map = await pg.evaluate(() => cityforge.hoverTimes.slice());
console.log(JSON.stringify({ buildings: await pg.evaluate(() => cityforge.model.rows), model: { changes: model.length, medianMs: med(model), maxMs: Math.max(...model) }, map: { changes: map.length, medianMs: med(map), maxMs: Math.max(...map) } }));
await b.close();
