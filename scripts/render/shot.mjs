// Headless render of a GLB (or the roof gallery) to PNG with Debian's Chromium:
//   node scripts/render/shot.mjs <file.glb> <out.png> [zoom]     node scripts/render/shot.mjs gallery <out.png>
// (from any folder; the GLB may lie anywhere: it is served as /model.glb; zoom: the camera's distance
// as a multiple of the model's framing, 1 by default, < 1 comes closer)
import { chromium } from 'playwright-core';
import http from 'node:http'; import fs from 'node:fs'; import path from 'node:path';
const [what, out, zoom] = process.argv.slice(2);
if (!what || !out) {
  console.error('usage: node scripts/render/shot.mjs <file.glb> <out.png> [zoom]   |   gallery <out.png>');
  process.exit(2);
}
// the project folder: this script's own, two levels up (it served the folder it was run from, and
// refused to run elsewhere)
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const glb = what === 'gallery' ? null : path.resolve(what);
if (glb && !fs.existsSync(glb)) {
  console.error(`shot: ${what}: no such file`);
  process.exit(3);
}
// the project's files, and the GLB as /model.glb; nothing outside the project folder
const srv = http.createServer((q, s) => {
  const url = decodeURIComponent(q.url.split('?')[0]);
  // (the browser's own request: answered, so no "404" line in every shot's log)
  if (url === '/favicon.ico') {
    s.writeHead(204);
    return s.end();
  }
  const p = url === '/model.glb' && glb ? glb : path.resolve(root, `.${url}`);
  if ((p !== glb && !p.startsWith(root + path.sep)) || !fs.existsSync(p) || !fs.statSync(p).isFile()) {
    s.writeHead(404);
    return s.end();
  }
  s.writeHead(200, { 'content-type': p.endsWith('.js') ? 'text/javascript' : p.endsWith('.html') ? 'text/html' : 'application/octet-stream' });
  fs.createReadStream(p).pipe(s);
}).listen(0, '127.0.0.1');
await new Promise((r) => srv.on('listening', r));
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--enable-unsafe-swiftshader'] });
const pg = await b.newPage({ viewport: { width: 1200, height: what === 'gallery' ? 1200 : 800 } });
pg.on('console', (m) => console.log('page:', m.text()));
pg.on('pageerror', (e) => console.log('err', e.message));
const page = what === 'gallery' ? 'scripts/render/gallery.html' : `scripts/render/index.html?glb=/model.glb&zoom=${zoom ?? 0.9}`;
try {
  await pg.goto(`http://127.0.0.1:${srv.address().port}/${page}`);
  await pg.waitForFunction('window.done === true', null, { timeout: 60000 });
  await pg.screenshot({ path: out });
} catch (e) {
  console.error(`shot: ${what} did not render: ${e.message.split('\n')[0]}`);
  process.exitCode = 1;
} finally {
  await b.close();
  srv.close();
}
