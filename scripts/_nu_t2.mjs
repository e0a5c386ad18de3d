import { open, shot, panel, settle } from './_nu_lib.mjs';
const url = process.argv[2]; const tag = process.argv[3] || 't2';
const { browser, page, logs } = await open(url);
const cam = () => page.evaluate(() => ({ view: cityforge.view, cam: cityforge.cameraState ? cityforge.cameraState() : null, hash: location.hash }));
await page.selectOption('#colour-by', 'height'); await settle(page);
// legend click
const entries = page.locator('#legend li');
console.log('legend n', await entries.count());
await entries.first().click(); await page.waitForTimeout(800); await settle(page);
await shot(page, tag + '-legend-click');
console.log('after legend click: shown=', await page.locator('#shown').innerText().catch(()=>'-'), 'hint=', await page.locator('#legend-hint').innerText().catch(()=>'-'), 'li classes', await page.evaluate(() => [...document.querySelectorAll('#legend li')].map(l => l.className + ':' + l.getAttribute('aria-pressed'))));
await entries.first().click(); await page.waitForTimeout(500);
// wheel zoom
console.log('cam before', JSON.stringify(await cam()));
await page.mouse.move(640, 450);
for (let i = 0; i < 5; i++) { await page.mouse.wheel(0, -100); await page.waitForTimeout(120); }
await page.waitForTimeout(800); await settle(page);
await shot(page, tag + '-zoom5');
console.log('cam zoom', JSON.stringify(await cam()));
// drag orbit
await page.mouse.move(640, 450); await page.mouse.down(); 
for (let i = 1; i <= 10; i++) { await page.mouse.move(640 + i * 25, 450 + i * 5); await page.waitForTimeout(30); }
await page.mouse.up(); await page.waitForTimeout(800); await settle(page);
await shot(page, tag + '-orbit');
console.log('cam orbit', JSON.stringify(await cam()), 'selected after drag', await page.evaluate(() => cityforge.selectedId));
// right drag pan
await page.mouse.move(640, 450); await page.mouse.down({ button: 'right' });
for (let i = 1; i <= 10; i++) { await page.mouse.move(640 - i * 20, 450); await page.waitForTimeout(30); }
await page.mouse.up({ button: 'right' }); await page.waitForTimeout(600); await settle(page);
await shot(page, tag + '-pan');
// map view
await page.click('#toggle'); await page.waitForTimeout(1500); await settle(page); await page.waitForTimeout(1500);
await shot(page, tag + '-mapview');
console.log('map', JSON.stringify(await cam()), 'toggle label', await page.locator('#toggle').innerText());
console.log('panel in map', (await page.locator('#panel').innerText()).slice(0, 400));
// hover + click in map view
await page.mouse.move(640, 450); await page.waitForTimeout(700);
console.log('map hover', await page.evaluate(() => cityforge.hoveredId), await page.locator('#tooltip').innerText().catch(()=>'-'));
await page.mouse.click(640, 450); await page.waitForTimeout(800);
await shot(page, tag + '-map-click');
console.log('map selection', (await page.locator('#selection').innerText()).slice(0, 200));
// zoom in map
for (let i = 0; i < 5; i++) { await page.mouse.wheel(0, -100); await page.waitForTimeout(120); }
await page.waitForTimeout(1500); await settle(page);
await shot(page, tag + '-map-zoom');
console.log('map zoom', JSON.stringify(await cam()));
// back to model
await page.click('#toggle'); await page.waitForTimeout(1500); await settle(page);
await shot(page, tag + '-back-model');
console.log('back', JSON.stringify(await cam()));
await page.click('#home'); await page.waitForTimeout(2500); await settle(page);
await shot(page, tag + '-home');
console.log('home', JSON.stringify(await cam()));
console.log(logs.filter(l => !l.includes('GPU stall')).join('\n'));
await browser.close();
