import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { spawn } from 'node:child_process';
const srv = spawn('node', ['bin/cityforge.js', 'view', process.argv[2] ?? 'test-output/viewer-tiles/tiles', '--port', '8732'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 1500));
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const p = await b.newPage({ viewport: { width: 1280, height: 800 } });
await p.goto('http://localhost:8732/');
await p.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120000 });
await p.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 120000 });
const stats = (buf) => { const img = PNG.sync.read(buf); const bg = [img.data[0], img.data[1], img.data[2]]; let l = 0, c = 0, n = 0;
  for (let y = 0; y < img.height; y++) for (let x = 0; x < 960; x++) { const i = 4 * (y * img.width + x); const px = [img.data[i], img.data[i+1], img.data[i+2]];
    if (Math.abs(px[0]-bg[0])+Math.abs(px[1]-bg[1])+Math.abs(px[2]-bg[2]) <= 24) continue; l += 0.2126*px[0]+0.7152*px[1]+0.0722*px[2]; c += Math.max(...px)-Math.min(...px); n++; }
  return { luma: (l/n).toFixed(1), chroma: (c/n).toFixed(1), n }; };
const m = await p.screenshot(); console.log('model', stats(m));
await p.click('#toggle'); await p.waitForFunction('window.cityforge.tilesSettled()', null, { timeout: 120000 }); await p.waitForTimeout(1000);
const mp = await p.screenshot({ path: '/tmp/tmap.png' }); console.log('map', stats(mp));
await b.close(); srv.kill();
