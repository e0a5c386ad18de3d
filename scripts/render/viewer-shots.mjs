// Screenshots of the viewer (model view with a building picked, the map view, coloured by height) for the README:
//   node bin/cityforge.js view out/sf.glb --port 8765 &   node scripts/render/viewer-shots.mjs http://127.0.0.1:8765/ docs/img
import { chromium } from 'playwright-core';
// (pictures with smooth edges: the viewer leaves antialiasing off in software WebGL unless asked)
const aa = (u) => { const x = new URL(u); x.searchParams.set('antialias', '1'); return x.href; };
const [url, dir] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--enable-unsafe-swiftshader'] });
const pg = await b.newPage({ viewport: { width: 1280, height: 800 } });
await pg.goto(aa(url));
await pg.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120000 });
const tallest = await pg.evaluate(() => { const hs = cityforge.model.table.height; return hs.reduce((best, h, i) => (h > hs[best] ? i : best), 0); });
const pos = await pg.evaluate((id) => cityforge.screenPositionOf(id), tallest);
await pg.mouse.click(pos.x, pos.y);
await pg.screenshot({ path: `${dir}/viewer-model.png` });
await pg.click('#toggle');
await pg.waitForTimeout(2000);
await pg.mouse.move(10, 790);
await pg.waitForTimeout(300);
await pg.screenshot({ path: `${dir}/viewer-map.png` });
// coloured by height, in the model view, nothing selected
await pg.click('#toggle');
await pg.waitForTimeout(500);
await pg.mouse.click(5, 5);
await pg.selectOption('#colour-by', 'height');
await pg.waitForTimeout(500);
await pg.mouse.move(10, 790);
await pg.screenshot({ path: `${dir}/viewer-colour.png` });
await b.close();
