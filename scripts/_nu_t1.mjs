import { open, shot, panel, settle } from './_nu_lib.mjs';
const url = process.argv[2]; const tag = process.argv[3] || 't1';
const { browser, page, logs } = await open(url);
const cf = () => page.evaluate(() => ({ view: cityforge.view, sel: cityforge.selectedId, hov: cityforge.hoveredId, cam: cityforge.cameraState && cityforge.cameraState() }));
console.log('someBuilding', JSON.stringify(await page.evaluate(() => cityforge.someBuilding())));
console.log('state0', JSON.stringify(await cf()));
// colour by height
await page.selectOption('#colour-by', 'height'); await settle(page); await page.waitForTimeout(800);
await shot(page, tag + '-colour-height');
console.log('legend', await page.locator('#legend').innerText().catch(e => e.message));
console.log('legend-hint', await page.locator('#legend-hint').innerText().catch(e => e.message));
// hover building at center
const sb = await page.evaluate(() => cityforge.someBuilding());
let pt = sb && (sb.x !== undefined ? sb : (sb.screen || null));
console.log('pt', JSON.stringify(pt));
const x = pt?.x ?? 640, y = pt?.y ?? 450;
await page.mouse.move(x, y); await page.waitForTimeout(700);
await shot(page, tag + '-hover');
console.log('tooltip', await page.locator('#tooltip').innerText().catch(e=>e.message), JSON.stringify(await cf()));
await page.mouse.click(x, y); await page.waitForTimeout(900);
await shot(page, tag + '-click');
console.log('selection', await page.locator('#selection').innerText());
console.log('url', page.url());
console.log(logs.filter(l => !l.includes('GPU stall')).join('\n'));
await browser.close();
