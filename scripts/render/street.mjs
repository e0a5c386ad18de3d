// Street-level shots of one building in two served viewers, the same camera (the README's facade pictures):
//   cityforge view a.glb --port 8771 & cityforge view b.glb --port 8772 &
//   DIR=-1,-1 node scripts/render/street.mjs http://127.0.0.1:8771/ http://127.0.0.1:8772/ /tmp/street [row]
// writes <prefix>-a.png and <prefix>-b.png. The building: row, else a shop of 4–8 storeys, else the tallest
// up to 8 storeys; the camera 1.7 m above its foot, DIR (x,z signs) off its corner, looking at it.
import { chromium } from 'playwright-core';
// (pictures with smooth edges: the viewer leaves antialiasing off in software WebGL unless asked)
const aa = (u) => { const x = new URL(u); x.searchParams.set('antialias', '1'); return x.href; };
const [urlA, urlB, out, rowArg] = process.argv.slice(2);
// (no-usage-said: without its arguments it died on "Invalid URL", and a PNG name given for the second
// viewer wrote undefined-a.png)
if (![urlA, urlB].every((u) => /^https?:\/\//.test(u ?? '')) || !out) {
  console.error('usage: [DIR=-1,-1] node scripts/render/street.mjs <viewer URL a> <viewer URL b> <out prefix> [row]\n  (two served viewers: cityforge view a.glb --port 8771 & cityforge view b.glb --port 8772 &; writes <out prefix>-a.png and -b.png)');
  process.exit(2);
}
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const p = await b.newPage({ viewport: { width: 1200, height: 760 } });
await p.goto(aa(urlA));
await p.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120000 });
const cam = await p.evaluate(([rowArg, process_dir]) => {
  const c = window.cityforge, t = c.model.table;
  const cols = Object.keys(t);
  // a shop building of 4+ levels, else the tallest with levels
  let best = -1, score = -1;
  for (let i = 0; i < c.model.rows; i++) {
    const lv = Number(t.levels?.[i] ?? 0) || Math.round(Number(t.height?.[i] ?? 0) / 3);
    const shop = (t.shop?.[i] ?? t.shops?.[i]) ? 1 : 0;
    const s = (shop && lv >= 4 && lv <= 8 ? 100 : 0) + Math.min(lv, 8);
    if (s > score) [best, score] = [i, s];
  }
  if (rowArg) best = Number(rowArg);
  // the building's vertices (glTF axes)
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity, minZ = Infinity, maxZ = -Infinity;
  for (const m of c.model.buildingMeshes) {
    const pos = m.geometry.attributes.position, f = m.geometry.attributes._feature_id_0;
    if (!f) continue;
    m.updateMatrixWorld();
    for (let v = 0; v < pos.count; v++) if (Math.round(f.getX(v)) === best) {
      const e = m.matrixWorld.elements, px = pos.getX(v), py = pos.getY(v), pz = pos.getZ(v);
      const x = e[0] * px + e[4] * py + e[8] * pz + e[12], y = e[1] * px + e[5] * py + e[9] * pz + e[13], z = e[2] * px + e[6] * py + e[10] * pz + e[14];
      minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y); minZ = Math.min(minZ, z); maxZ = Math.max(maxZ, z);
    }
  }
  const cx = (minX + maxX) / 2, cz = (minZ + maxZ) / 2, r = Math.max(maxX - minX, maxZ - minZ);
  const h = maxY - minY;
  const sx = Number(process_dir[0]), sz = Number(process_dir[1]); const off = (r / 2 + 22) / Math.SQRT2; const d = Math.hypot(off, off);
  return { row: best, id: t.id[best], shops: t.shops?.[best], levels: t.levels?.[best], pos: [cx + sx * off, minY + 1.7 + d * Math.tan(6 * Math.PI / 180), cz + sz * off], target: [cx, minY + 1.7, cz] };
}, [rowArg, (process.env.DIR ?? '1,1').split(',')]);
console.log(JSON.stringify(cam));
const hash = `#cam=${[...cam.pos, ...cam.target].map((v) => v.toFixed(1)).join(',')}`;
for (const [u, name] of [[urlA, 'a'], [urlB, 'b']]) {
  await p.goto('about:blank');
  await p.goto(aa(u) + hash);
  await p.waitForFunction('window.cityforge && window.cityforge.ready', null, { timeout: 120000 });
  await p.click('#collapse');
  await p.waitForTimeout(1500);
  await p.screenshot({ path: `${out}-${name}.png` });
}
await b.close();
