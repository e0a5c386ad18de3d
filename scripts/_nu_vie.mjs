import { open, shot, settle } from './_nu_lib.mjs';
const url = process.argv[2]; const tag = process.argv[3] || 'vie';
const { browser, page, logs } = await open(url);
await page.selectOption('#colour-by', 'fit:confidence'); await page.waitForTimeout(800);
console.log('legend conf', (await page.locator('#legend').innerText()).replace(/\n/g, ' | '));
await shot(page, tag + '-conf');
const pts = [[640, 400], [500, 500], [880, 500], [700, 300], [300, 450], [1070, 660], [250, 550]];
let i = 0;
for (const [x, y] of pts) {
  await page.mouse.move(x, y); await page.waitForTimeout(300);
  const tip = await page.locator('#tooltip').innerText().catch(() => '-');
  await page.mouse.click(x, y); await page.waitForTimeout(700);
  const sel = await page.locator('#selection').innerText();
  console.log(`--- click ${x},${y} tip=[${tip}] id=${await page.evaluate(() => cityforge.selectedId)}\n${sel}`);
  await shot(page, `${tag}-click${i++}`);
}
for (const by of ['fit:sigma_height', 'fit:rmse', 'fit:status', 'roof_shape', 'fit:runner_up_confidence']) {
  await page.selectOption('#colour-by', by); await page.waitForTimeout(600);
  console.log('legend', by, ':', (await page.locator('#legend').innerText()).replace(/\n/g, ' | '));
}
await shot(page, tag + '-roofshape-last');
await browser.close();
