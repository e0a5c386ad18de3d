import { open, shot, settle } from './_nu_lib.mjs';
const url = process.argv[2]; const tag = process.argv[3] || 'mapz2';
const { browser, page, logs } = await open(url);
const h = () => page.evaluate(() => decodeURIComponent(location.hash));
// low oblique orbit in model view
await page.mouse.move(500, 500); await page.mouse.down(); for (let i = 1; i <= 10; i++) { await page.mouse.move(500 + 20 * i, 500 - 8 * i); await page.waitForTimeout(30); } await page.mouse.up(); await page.waitForTimeout(800);
console.log('model after drag', await h(), JSON.stringify(await page.evaluate(() => cityforge.cameraState())));
await shot(page, tag + '-model');
await page.click('#toggle'); await page.waitForTimeout(3000);
console.log('map', await h());
await shot(page, tag + '-map');
for (const [x, y] of [[700, 420], [400, 600], [300, 200]]) {
  await page.mouse.move(x, y); await page.waitForTimeout(200);
  for (let i = 0; i < 3; i++) { await page.mouse.wheel(0, -100); await page.waitForTimeout(300); }
  await page.waitForTimeout(1200);
  console.log('after 3 wheel at', x, y, await h());
}
await shot(page, tag + '-map-wheel');
await browser.close();
