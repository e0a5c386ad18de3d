import { open, shot, settle } from './_nu_lib.mjs';
const url = process.argv[2]; const tag = process.argv[3] || 'mapz';
const { browser, page, logs } = await open(url);
await page.click('#toggle'); await page.waitForTimeout(3000);
const h = () => page.evaluate(() => decodeURIComponent(location.hash));
await shot(page, tag + '-0'); console.log('0', await h());
await page.mouse.move(600, 450); await page.waitForTimeout(300);
await page.mouse.wheel(0, -100); await page.waitForTimeout(1500);
await shot(page, tag + '-1'); console.log('1 step', await h());
for (let i = 0; i < 4; i++) { await page.mouse.wheel(0, -100); await page.waitForTimeout(400); }
await page.waitForTimeout(1500);
await shot(page, tag + '-5'); console.log('5 steps', await h());
// drag in map view
await page.mouse.move(600, 450); await page.mouse.down(); for (let i = 1; i <= 10; i++) { await page.mouse.move(600 - 20 * i, 450); await page.waitForTimeout(30); } await page.mouse.up(); await page.waitForTimeout(1200);
await shot(page, tag + '-drag'); console.log('drag', await h());
await page.click('#home'); await page.waitForTimeout(2500);
await shot(page, tag + '-home'); console.log('home', await h());
await page.click('#toggle'); await page.waitForTimeout(2500);
await shot(page, tag + '-model'); console.log('model', await h());
await browser.close();
