import { describe, expect, it } from 'vitest';
import { triangulate, type Footprint } from '../../src/procedural/index.js';

/** Each triangle's signed height over its longest edge (metres; negative: clockwise) and its area. */
function shapes(fp: Footprint, t: Uint32Array): { height: number; area: number }[] {
  const c = fp.coords;
  const out: { height: number; area: number }[] = [];
  for (let k = 0; k < t.length; k += 3) {
    const [a, b, d] = [t[k], t[k + 1], t[k + 2]];
    const cross = (c[2 * b] - c[2 * a]) * (c[2 * d + 1] - c[2 * a + 1]) - (c[2 * b + 1] - c[2 * a + 1]) * (c[2 * d] - c[2 * a]);
    const len = Math.max(...[[a, b], [b, d], [d, a]].map(([p, q]) => Math.hypot(c[2 * q] - c[2 * p], c[2 * q + 1] - c[2 * p + 1])));
    out.push({ height: cross / len, area: cross / 2 });
  }
  return out;
}

const ringArea = (c: Float64Array) => {
  let s = 0;
  for (let i = 0, n = c.length / 2; i < n; i++) {
    const j = (i + 1) % n;
    s += c[2 * i] * c[2 * j + 1] - c[2 * j] * c[2 * i + 1];
  }
  return s / 2;
};

describe('triangulate', () => {
  it('sliver-turned-over: three nearly collinear corners far apart (SF 15/5237/12665#9) make no triangle a few mm wide, which an output\'s grid could turn over; the same area, every triangle counter-clockwise', () => {
    const pts = [142.964, -28.222, 144.145, -43.517, 146.981, -43.047, 147.69, -46.812, 144.618, -47.282, 148.399, -61.872, 160.687, -59.989, 159.505, -53.4, 161.396, -53.165, 160.214, -44.929, 155.488, -45.635, 154.779, -41.164, 159.505, -40.458, 155.251, -26.339];
    const fp: Footprint = { coords: Float64Array.from(pts), ringStarts: Uint32Array.of(0, pts.length / 2) };
    const t = triangulate(fp);
    expect(t.length / 3).toBe(pts.length / 2 - 2);
    const s = shapes(fp, t);
    // (earcut's own: a triangle 4 mm wide along a 12.5 m edge, corners 3, 9 and 10)
    expect(Math.min(...s.map((x) => x.height))).toBeGreaterThan(0.02);
    expect(s.reduce((a, x) => a + x.area, 0)).toBeCloseTo(ringArea(fp.coords), 9);
  });

  it('a footprint with a hole: no slivers made, the area kept (flips stay inside the polygon)', () => {
    const outer = [0, 0, 20, 0, 20, 10, 10.003, 10.001, 0, 10];
    const hole = [5, 3, 5, 7, 15, 7, 15, 3];
    const fp: Footprint = { coords: Float64Array.from([...outer, ...hole]), ringStarts: Uint32Array.of(0, 5, 9) };
    const t = triangulate(fp);
    const s = shapes(fp, t);
    for (const x of s) expect(x.height).toBeGreaterThan(0);
    const area = ringArea(Float64Array.from(outer)) + ringArea(Float64Array.from(hole));
    expect(s.reduce((a, x) => a + x.area, 0)).toBeCloseTo(area, 9);
  });
});
