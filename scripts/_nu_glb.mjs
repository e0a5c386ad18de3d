import { open, shot, settle } from './_nu_lib.mjs';
import fs from 'node:fs';
const url = process.argv[2]; const tag = process.argv[3] || 'glb'; const findQ = process.argv[4] || 'Casino';
const { browser, page, logs } = await open(url);
const st = () => page.evaluate(() => ({ view: cityforge.view, sel: cityforge.selectedId, hov: cityforge.hoveredId, hash: decodeURIComponent(location.hash) }));
await page.selectOption('#colour-by', 'height'); await page.waitForTimeout(800);
console.log('legend', (await page.locator('#legend').innerText()).replace(/\n/g, ' | '));
await shot(page, tag + '-height');
await page.locator('#legend li').nth(0).click(); await page.waitForTimeout(600);
console.log('after legend click shown=', await page.locator('#shown').innerText().catch(()=>'-'), JSON.stringify(await st()));
await shot(page, tag + '-legend-hidden');
await page.locator('#legend li').nth(0).click(); await page.waitForTimeout(400);
console.log('after legend re-click shown=', await page.locator('#shown').innerText().catch(()=>'-'));
// find
await page.fill('#search-input', findQ); await page.press('#search-input', 'Enter'); await page.waitForTimeout(2500);
console.log('find result:', await page.locator('#search-result').innerText(), JSON.stringify(await st()));
console.log('selection:', (await page.locator('#selection').innerText()).replace(/\n/g, ' / ').slice(0, 500));
await shot(page, tag + '-find');
// home
await page.click('#home'); await page.waitForTimeout(2000);
// hover centre-ish building via screenPositionOf? use model
const pos = await page.evaluate(() => { try { return cityforge.screenPositionOf(cityforge.selectedId); } catch (e) { return String(e); } });
console.log('screenPositionOf selected', JSON.stringify(pos));
// scan for a building under cursor
let hit = null;
for (let y = 300; y < 700 && !hit; y += 40) for (let x = 200; x < 900 && !hit; x += 40) { await page.mouse.move(x, y); await page.waitForTimeout(60); const h = await page.evaluate(() => cityforge.hoveredId); if (h != null) hit = { x, y, h }; }
console.log('hover hit', JSON.stringify(hit), 'tooltip', await page.locator('#tooltip').innerText().catch(()=>'-'));
await shot(page, tag + '-hover');
await page.mouse.click(hit.x, hit.y); await page.waitForTimeout(800);
console.log('click selection:', (await page.locator('#selection').innerText()).replace(/\n/g, ' / ').slice(0, 600));
await shot(page, tag + '-click');
// dblclick fly
await page.mouse.dblclick(hit.x, hit.y); await page.waitForTimeout(2500);
await shot(page, tag + '-dblclick');
console.log('after dblclick', JSON.stringify(await st()));
// wheel 1 step and measure
const c0 = await page.evaluate(() => cityforge.cameraState());
await page.mouse.wheel(0, -100); await page.waitForTimeout(800);
const c1 = await page.evaluate(() => cityforge.cameraState());
console.log('camState before/after one wheel step', JSON.stringify(c0), JSON.stringify(c1));
// arrow keys
await page.keyboard.press('ArrowUp'); await page.waitForTimeout(200); await page.keyboard.press('ArrowUp'); await page.waitForTimeout(800);
console.log('after arrows', JSON.stringify(await page.evaluate(() => cityforge.cameraState())));
await shot(page, tag + '-arrows');
// orbit drag then check selection unchanged
const selBefore = await page.evaluate(() => cityforge.selectedId);
await page.mouse.move(500, 500); await page.mouse.down(); for (let i = 1; i <= 10; i++) { await page.mouse.move(500 + 20 * i, 500 - 8 * i); await page.waitForTimeout(30); } await page.mouse.up(); await page.waitForTimeout(800);
console.log('sel before/after drag', selBefore, await page.evaluate(() => cityforge.selectedId));
await shot(page, tag + '-orbit');
const hashModel = await page.evaluate(() => decodeURIComponent(location.hash));
// map view
await page.click('#toggle'); await page.waitForTimeout(3000);
await shot(page, tag + '-map');
console.log('map', JSON.stringify(await st()), 'model hash was', hashModel);
for (let i = 0; i < 3; i++) { await page.mouse.wheel(0, -100); await page.waitForTimeout(200); }
await page.waitForTimeout(1500);
await shot(page, tag + '-map-zoom');
console.log('map after zoom', JSON.stringify(await st()));
await page.click('#toggle'); await page.waitForTimeout(2500);
await shot(page, tag + '-back');
console.log('back', JSON.stringify(await st()));
// save png
const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 15000 }).catch(e => null), page.click('#shot')]);
if (dl) { const p = '/tmp/nu1/shots/' + tag + '-savepng-' + dl.suggestedFilename(); await dl.saveAs(p); console.log('saved', p, fs.statSync(p).size); } else console.log('no download');
// compass click
await page.click('#compass'); await page.waitForTimeout(1500); await shot(page, tag + '-compass');
console.log(logs.filter(l => !l.includes('GPU stall') && !l.includes('luma')).join('\n'));
await browser.close();
