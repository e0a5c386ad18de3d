// PNGs side by side, each scaled down by SCALE (default 2): node scripts/render/montage.mjs out.png a.png b.png ...
import fs from 'node:fs';
import { PNG } from 'pngjs';
const [out, ...files] = process.argv.slice(2);
const imgs = files.map((f) => PNG.sync.read(fs.readFileSync(f)));
const s = Number(process.env.SCALE ?? 2);
const w = imgs.reduce((a, i) => a + Math.floor(i.width / s), 0) + 6 * (imgs.length - 1), h = Math.max(...imgs.map((i) => Math.floor(i.height / s)));
const o = new PNG({ width: w, height: h });
o.data.fill(255);
let x0 = 0;
for (const im of imgs) {
  const iw = Math.floor(im.width / s), ih = Math.floor(im.height / s);
  for (let y = 0; y < ih; y++) for (let x = 0; x < iw; x++) {
    const acc = [0, 0, 0, 0];
    for (let dy = 0; dy < s; dy++) for (let dx = 0; dx < s; dx++) { const i = 4 * ((y * s + dy) * im.width + x * s + dx); for (let k = 0; k < 4; k++) acc[k] += im.data[i + k]; }
    const j = 4 * (y * w + x0 + x); for (let k = 0; k < 4; k++) o.data[j + k] = Math.round(acc[k] / (s * s));
  }
  x0 += iw + 6;
}
fs.writeFileSync(out, PNG.sync.write(o));
