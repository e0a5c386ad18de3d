import { open, shot, settle } from './_nu_lib.mjs';
const url = process.argv[2]; const tag = process.argv[3] || 'phone';
const { browser, page, logs } = await open(url, { width: 390, height: 844, mobile: true });
await shot(page, tag + '-initial');
console.log('visible ids', await page.evaluate(() => [...document.querySelectorAll('[id]')].filter(e => e.offsetParent !== null).map(e => { const r = e.getBoundingClientRect(); return `${e.id}[${Math.round(r.x)},${Math.round(r.y)},${Math.round(r.width)}x${Math.round(r.height)}]`; }).join(' ')));
let sb = process.argv[4] ? null : await page.evaluate(() => cityforge.someBuilding ? cityforge.someBuilding() : null);
if (!sb) { for (let yy = 300; yy < 700 && !sb; yy += 20) for (let xx = 20; xx < 370 && !sb; xx += 20) { await page.mouse.move(xx, yy); await page.waitForTimeout(40); const hh = await page.evaluate(() => cityforge.hoveredId); if (hh != null) sb = { x: xx, y: yy, id: hh }; } }
console.log('someBuilding', JSON.stringify(sb));
const x = sb?.x ?? 195, y = sb?.y ?? 500;
await page.touchscreen.tap(x, y); await page.waitForTimeout(1200);
await shot(page, tag + '-tap');
console.log('selected', await page.evaluate(() => cityforge.selectedId), 'tooltip', await page.locator('#tooltip').innerText().catch(()=>'-'), '| selection:', (await page.locator('#selection').innerText()).slice(0, 150).replace(/\n/g,' / '));
// expand panel
const col = page.locator('#collapse');
if (await col.isVisible()) { await col.tap(); await page.waitForTimeout(600); await shot(page, tag + '-panel'); console.log('after collapse tap visible ids', await page.evaluate(() => [...document.querySelectorAll('[id]')].filter(e => e.offsetParent !== null).map(e => e.id).join(' '))); }
console.log(logs.filter(l => !l.includes('GPU stall') && !l.includes('luma')).join('\n'));
await browser.close();
