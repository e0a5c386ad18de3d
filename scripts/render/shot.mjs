// Headless render of a GLB (or the roof gallery) to PNG with Debian's Chromium:
//   node scripts/render/shot.mjs <file.glb> <out.png> [zoom]     node scripts/render/shot.mjs gallery <out.png>
import { chromium } from 'playwright-core';
import http from 'node:http'; import fs from 'node:fs'; import path from 'node:path';
const root = process.cwd();
const srv = http.createServer((q, s) => { const p = path.join(root, decodeURIComponent(q.url.split('?')[0])); if (!fs.existsSync(p)) { s.writeHead(404); return s.end(); } s.writeHead(200, { 'content-type': p.endsWith('.js') ? 'text/javascript' : p.endsWith('.html') ? 'text/html' : 'application/octet-stream' }); fs.createReadStream(p).pipe(s); }).listen(0, '127.0.0.1');
await new Promise(r => srv.on('listening', r));
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--enable-unsafe-swiftshader'] });
const pg = await b.newPage({ viewport: { width: 1200, height: process.argv[2] === 'gallery' ? 1000 : 800 } });
pg.on('console', m => console.log('page:', m.text())); pg.on('pageerror', e => console.log('err', e.message));
const page = process.argv[2] === 'gallery' ? 'scripts/render/gallery.html' : `scripts/render/index.html?glb=/${process.argv[2]}&zoom=${process.argv[4] ?? 0.9}`;
await pg.goto(`http://127.0.0.1:${srv.address().port}/${page}`);
await pg.waitForFunction('window.done === true', null, { timeout: 60000 });
await pg.screenshot({ path: process.argv[3] }); await b.close(); srv.close();
