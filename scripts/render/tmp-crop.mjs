import fs from 'node:fs';
import { PNG } from 'pngjs';
const png = PNG.sync.read(fs.readFileSync(process.argv[2]));
console.log(png.width, png.height);
let light = 0, dark = 0;
for (let y = png.height - 14; y < png.height; y++) for (let x = png.width - 120; x < png.width; x++) { const i = 4 * (y * png.width + x); const v = (png.data[i] + png.data[i+1] + png.data[i+2]) / 3; if (v > 235) light++; if (v < 110) dark++; }
console.log({ light, dark });
const w = 600, h = 40, out = new PNG({ width: w, height: h });
for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) { const si = 4 * ((png.height - h + y) * png.width + (png.width - w + x)); png.data.copy(out.data, 4 * (y * w + x), si, si + 4); }
fs.writeFileSync('/tmp/v/crop.png', PNG.sync.write(out));
