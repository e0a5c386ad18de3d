import { chromium } from 'playwright-core';
export async function open(url, { width = 1280, height = 800, mobile = false } = {}) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const ctx = await browser.newContext({ viewport: { width, height }, isMobile: mobile, hasTouch: mobile, deviceScaleFactor: mobile ? 2 : 1, acceptDownloads: true });
  const page = await ctx.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  await page.goto(url);
  await page.waitForFunction(() => window.cityforge && window.cityforge.ready, null, { timeout: 60000 });
  await settle(page);
  return { browser, ctx, page, logs };
}
export async function settle(page) {
  await page.waitForFunction(() => { const t = window.cityforge.tilesSettled; return !t || t.call(window.cityforge) === true; }, null, { timeout: 90000, polling: 250 }).catch((e) => console.log('settle timeout', e.message));
  await page.waitForTimeout(400);
}
export const shot = (page, name) => page.screenshot({ path: `/tmp/nu1/shots/${name}.png` });
export async function panel(page) {
  return page.evaluate(() => { const out = {}; for (const el of document.querySelectorAll('[id]')) { if (el.offsetParent !== null || el.id === 'panel') { const t = (el.innerText || '').trim(); if (t) out[el.id] = t.slice(0, 600); } } return out; });
}
