import fs from 'node:fs';
import { PNG } from 'pngjs';
for (const f of process.argv.slice(2)) {
  const png = PNG.sync.read(fs.readFileSync(f));
  const g = [], b = [];
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, gg, bb] = [png.data[i], png.data[i + 1], png.data[i + 2]];
    if (gg > r + 8 && gg > bb + 4) g.push([r, gg, bb]);
    if (r > bb + 12 && r > 60 && r - bb < 60) b.push([r, gg, bb]);
  }
  const med = (a) => [0, 1, 2].map((k) => a.map((x) => x[k]).sort((x, y) => x - y)[a.length >> 1]);
  console.log(f, 'green', g.length, med(g), 'warm', b.length, med(b));
}
