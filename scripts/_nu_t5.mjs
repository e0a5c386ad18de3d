import { open, shot, settle } from './_nu_lib.mjs';
const url = process.argv[2]; const tag = process.argv[3] || 't5';
const { browser, page, logs } = await open(url);
await page.click('#toggle'); await page.waitForTimeout(3000);
await page.mouse.move(640, 450);
for (let i = 0; i < 6; i++) { await page.mouse.wheel(0, -100); await page.waitForTimeout(150); }
for (let s = 0; s < 4; s++) { await page.waitForTimeout(5000); console.log(s, JSON.stringify(await page.evaluate(() => ({ settled: cityforge.tilesSettled(), loaded: cityforge.tilesLoaded(), frames: cityforge.framesDrawn(), hash: location.hash })))); }
await shot(page, tag + '-mapzoom-20s');
await page.mouse.move(500, 500); await page.waitForTimeout(800);
console.log('hover', await page.evaluate(() => cityforge.hoveredId), await page.locator('#tooltip').innerText().catch(()=>'-'));
await shot(page, tag + '-mapzoom-hover');
// toggle back
await page.click('#toggle'); await page.waitForTimeout(1000); await settle(page);
await shot(page, tag + '-back');
console.log('back hash', await page.evaluate(() => location.hash));
console.log(logs.filter(l => !l.includes('GPU stall') && !l.includes('luma')).join('\n'));
await browser.close();
