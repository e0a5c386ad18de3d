import { open, shot, settle } from './_nu_lib.mjs';
const url = process.argv[2]; const tag = process.argv[3] || 'vie2';
const { browser, page, logs } = await open(url);
await page.selectOption('#colour-by', 'fit:confidence'); await page.waitForTimeout(800);
for (const [x, y, n] of [[100, 530, 'yellowA'], [380, 515, 'yellowB'], [425, 380, 'blue']]) {
  await page.mouse.click(x, y); await page.waitForTimeout(700);
  console.log(`--- ${n} id=${await page.evaluate(() => cityforge.selectedId)}\n${await page.locator('#selection').innerText()}`);
  await shot(page, `${tag}-${n}`);
}
await page.mouse.click(640, 400); await page.waitForTimeout(700);
const sum = page.locator('#selection summary');
console.log('summary count', await sum.count());
if (await sum.count()) { await sum.first().click(); await page.waitForTimeout(500); }
console.log('--- expanded\n' + await page.locator('#selection').innerText());
await shot(page, tag + '-parts-expanded');
console.log('selection html snippet', (await page.locator('#selection').innerHTML()).slice(0, 1500));
await browser.close();
