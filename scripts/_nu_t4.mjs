import { chromium } from 'playwright-core';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu'] });
const p = await b.newPage({ viewport: { width: 1280, height: 800 } });
await p.goto(process.argv[2]);
await p.waitForFunction(() => window.cityforge && window.cityforge.ready, null, { timeout: 60000 });
for (let i = 0; i < 20; i++) {
  const r = await p.evaluate(() => { const v = cityforge.tilesSettled(); return { type: typeof v, isP: v instanceof Promise, v: v instanceof Promise ? null : v, loaded: cityforge.tilesLoaded(), frames: cityforge.framesDrawn() }; });
  console.log(i, JSON.stringify(r));
  await p.waitForTimeout(1000);
}
await p.screenshot({ path: '/tmp/nu1/shots/settle-20s.png' });
await b.close();
