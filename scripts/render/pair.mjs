// The same view of two served viewers, side by side (the README's CityJSON picture):
//   cityforge view a.glb --port 8771 & cityforge view b.glb --port 8772 &
//   node scripts/render/pair.mjs http://127.0.0.1:8771/ http://127.0.0.1:8772/ /tmp/pair [wheel-steps] [building id]
// writes <prefix>-a.png and <prefix>-b.png: viewer A flown to the building (searched; default its tallest),
// the wheel turned by the steps at the centre (negative: out), then viewer B opened at A's camera (the link's hash).
import { chromium } from 'playwright-core';
// (pictures with smooth edges: the viewer leaves antialiasing off in software WebGL unless asked)
const aa = (u) => { const x = new URL(u); x.searchParams.set('antialias', '1'); return x.href; };
const [urlA, urlB, out, steps = '0', id] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const p = await b.newPage({ viewport: { width: 1000, height: 700 } });
await p.goto(aa(urlA));
await p.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120000 });
const target = id ?? (await p.evaluate(() => { const t = cityforge.model.table; return t.id[t.height.reduce((best, h, i) => (h > t.height[best] ? i : best), 0)]; }));
await p.fill('#search-input', String(target));
await p.press('#search-input', 'Enter');
await p.waitForTimeout(2500);
// (nothing selected: the picture shows the roofs' own colours)
await p.mouse.click(5, 60);
await p.waitForTimeout(300);
await p.mouse.move(400, 380);
for (let k = 0; k < Math.abs(Number(steps)); k++) {
  await p.mouse.wheel(0, Number(steps) > 0 ? -120 : 120);
  await p.waitForTimeout(150);
}
await p.waitForTimeout(800);
const hash = await p.evaluate(() => location.hash);
await p.mouse.move(999, 699);
await p.waitForTimeout(300);
await p.screenshot({ path: `${out}-a.png` });
await p.goto(aa(urlB) + hash);
await p.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120000 });
await p.waitForTimeout(800);
await p.mouse.move(999, 699);
await p.waitForTimeout(300);
await p.screenshot({ path: `${out}-b.png` });
await b.close();
