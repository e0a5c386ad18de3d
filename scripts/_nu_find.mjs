import { open, shot } from './_nu_lib.mjs';
const url = process.argv[2]; const tag = process.argv[3]; const q = process.argv[4];
const { browser, page } = await open(url);
await page.fill('#search-input', q); await page.press('#search-input', 'Enter'); await page.waitForTimeout(3000);
console.log('result:', await page.locator('#search-result').innerText(), 'sel', await page.evaluate(() => cityforge.selectedId));
const s = page.locator('#selection summary'); if (await s.count()) { await s.first().click(); await page.waitForTimeout(300); }
console.log((await page.locator('#selection').innerText()).replace(/\n/g, ' / ').slice(0, 900));
await shot(page, tag);
await browser.close();
