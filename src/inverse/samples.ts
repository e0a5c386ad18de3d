import { cellValue, type RasterGrid } from '../core/grid.js';
import type { Footprint } from '../procedural/index.js';

/**
 * The surface model's cells inside one footprint: a window of the grid (cell centres at
 * x0 + (i + ½)·cell, y0 + (j + ½)·cell) and, per cell with data whose centre lies inside the outer ring
 * and outside every hole, one sample: its centre and its height above the building's ground.
 */
export interface RoofSamples {
  x0: number;
  y0: number;
  cell: number;
  w: number;
  h: number;
  /** Sample index of each window cell (row-major, south row first); −1 when not a sample. */
  index: Int32Array;
  x: Float64Array;
  y: Float64Array;
  /** Height above the building's ground (metres). */
  z: Float64Array;
  /** Cells whose centre lies inside the footprint, with data or not. */
  cells: number;
  /** 1 for each window cell whose centre lies inside the footprint. */
  inside: Uint8Array;
}

/**
 * For each row of cell centres of a window, the spans inside the footprint (even-odd over every ring:
 * holes are outside), reported as `visit(i, j)` per cell.
 */
export function forEachCellInside(fp: Footprint, x0: number, y0: number, cell: number, w: number, h: number, visit: (i: number, j: number) => void): void {
  const c = fp.coords;
  const xs: number[] = [];
  for (let j = 0; j < h; j++) {
    const yc = y0 + (j + 0.5) * cell;
    xs.length = 0;
    for (let r = 0; r + 1 < fp.ringStarts.length; r++) {
      const s = fp.ringStarts[r], e = fp.ringStarts[r + 1];
      for (let a = s; a < e; a++) {
        const b = a + 1 < e ? a + 1 : s;
        const ya = c[2 * a + 1], yb = c[2 * b + 1];
        if ((ya <= yc) !== (yb <= yc)) xs.push(c[2 * a] + ((yc - ya) / (yb - ya)) * (c[2 * b] - c[2 * a]));
      }
    }
    xs.sort((p, q) => p - q);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const i0 = Math.max(0, Math.ceil((xs[k] - x0) / cell - 0.5));
      const i1 = Math.min(w - 1, Math.floor((xs[k + 1] - x0) / cell - 0.5));
      for (let i = i0; i <= i1; i++) visit(i, j);
    }
  }
}

/** The footprint's bounding box snapped outwards to the grid's cells, grown by `margin` metres. */
export function windowOf(fp: Footprint, g: RasterGrid, margin = 0): { x0: number; y0: number; w: number; h: number } {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  const c = fp.coords;
  for (let k = 0; k < fp.ringStarts[1]; k++) {
    minX = Math.min(minX, c[2 * k]);
    maxX = Math.max(maxX, c[2 * k]);
    minY = Math.min(minY, c[2 * k + 1]);
    maxY = Math.max(maxY, c[2 * k + 1]);
  }
  const i0 = Math.floor((minX - margin - g.x0) / g.cell), i1 = Math.ceil((maxX + margin - g.x0) / g.cell);
  const j0 = Math.floor((minY - margin - g.y0) / g.cell), j1 = Math.ceil((maxY + margin - g.y0) / g.cell);
  return { x0: g.x0 + i0 * g.cell, y0: g.y0 + j0 * g.cell, w: Math.max(1, i1 - i0), h: Math.max(1, j1 - j0) };
}

/**
 * Sample the surface model `dsm` inside a footprint, heights relative to `ground`.
 *
 * @example
 * ```ts
 * const s = sampleFootprint(fp, dsm, 12.3);
 * s.z.length / s.cells; // the share of the footprint with data
 * ```
 */
export function sampleFootprint(fp: Footprint, dsm: RasterGrid, ground: number): RoofSamples {
  const { x0, y0, w, h } = windowOf(fp, dsm);
  const cell = dsm.cell;
  const index = new Int32Array(w * h).fill(-1);
  const inside = new Uint8Array(w * h);
  const xs: number[] = [], ys: number[] = [], zs: number[] = [];
  let cells = 0;
  forEachCellInside(fp, x0, y0, cell, w, h, (i, j) => {
    cells++;
    inside[j * w + i] = 1;
    const x = x0 + (i + 0.5) * cell, y = y0 + (j + 0.5) * cell;
    const v = cellValue(dsm, x, y);
    if (!Number.isFinite(v)) return;
    index[j * w + i] = xs.length;
    xs.push(x);
    ys.push(y);
    zs.push(v - ground);
  });
  return { x0, y0, cell, w, h, index, x: Float64Array.from(xs), y: Float64Array.from(ys), z: Float64Array.from(zs), cells, inside };
}

/** The `q`-quantile (0…1) of the finite values, NaN when there are none. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const v: number[] = [];
  for (let k = 0; k < values.length; k++) if (Number.isFinite(values[k])) v.push(values[k]);
  if (!v.length) return NaN;
  v.sort((a, b) => a - b);
  const t = q * (v.length - 1);
  const a = Math.floor(t);
  return a + 1 < v.length ? v[a] + (t - a) * (v[a + 1] - v[a]) : v[a];
}

/**
 * A building's ground, where S3DB's `height` starts and `build` seats a building (its default `--base
 * min`): the lowest point of the terrain model under the footprint (its cells inside and along its
 * rings, every half cell). Without a terrain model, a low percentile (10 %) of the surface model in a
 * ring `inner`…`outer` metres outside it (the open ground around the building; neighbours and trees are
 * higher). NaN when neither has data there.
 */
export function groundOf(fp: Footprint, dsm: RasterGrid, dtm: RasterGrid | null, inner = 1, outer = 4): { ground: number; estimated: boolean } {
  if (dtm) {
    const { x0, y0, w, h } = windowOf(fp, dtm);
    let lo = Infinity;
    const take = (z: number) => {
      if (z < lo) lo = z;
    };
    forEachCellInside(fp, x0, y0, dtm.cell, w, h, (i, j) => take(cellValue(dtm, x0 + (i + 0.5) * dtm.cell, y0 + (j + 0.5) * dtm.cell)));
    // (ground-sank-on-slopes: infer measured from the median inside, build seats on the lowest point:
    // on a slope the rebuilt city stood metres lower than the surface model)
    const c = fp.coords, step = dtm.cell / 2;
    for (let r = 0; r + 1 < fp.ringStarts.length; r++) {
      const a = fp.ringStarts[r], b = fp.ringStarts[r + 1];
      for (let i = a; i < b; i++) {
        const j = i + 1 < b ? i + 1 : a;
        const [xa, ya, xb, yb] = [c[2 * i], c[2 * i + 1], c[2 * j], c[2 * j + 1]];
        const k = Math.max(1, Math.ceil(Math.hypot(xb - xa, yb - ya) / step));
        for (let s = 0; s < k; s++) take(cellValue(dtm, xa + ((xb - xa) * s) / k, ya + ((yb - ya) * s) / k));
      }
    }
    return { ground: Number.isFinite(lo) ? lo : NaN, estimated: false };
  }
  // cells in the grown window, outside the footprint grown by `inner` (approximated by its window) …
  const near = windowOf(fp, dsm, inner);
  const far = windowOf(fp, dsm, outer);
  const inside = new Uint8Array(far.w * far.h);
  forEachCellInside(fp, far.x0, far.y0, dsm.cell, far.w, far.h, (i, j) => (inside[j * far.w + i] = 1));
  const v: number[] = [];
  for (let j = 0; j < far.h; j++)
    for (let i = 0; i < far.w; i++) {
      const x = far.x0 + (i + 0.5) * dsm.cell, y = far.y0 + (j + 0.5) * dsm.cell;
      if (inside[j * far.w + i]) continue;
      if (x > near.x0 && x < near.x0 + near.w * dsm.cell && y > near.y0 && y < near.y0 + near.h * dsm.cell) continue;
      v.push(cellValue(dsm, x, y));
    }
  return { ground: quantile(v, 0.1), estimated: true };
}

/**
 * A subset of a footprint's samples in the same window: the window cells `cellIn` accepts count as inside
 * (`cells`, `inside`), and of those the samples `sampleIn` accepts (default all) are kept.
 */
export function selectSamples(s: RoofSamples, cellIn: (c: number) => boolean, sampleIn: (k: number, c: number) => boolean = () => true): RoofSamples {
  const index = new Int32Array(s.index.length).fill(-1);
  const inside = new Uint8Array(s.index.length);
  const xs: number[] = [], ys: number[] = [], zs: number[] = [];
  let cells = 0;
  for (let c = 0; c < s.index.length; c++) {
    if (!cellIn(c)) continue;
    cells++;
    inside[c] = 1;
    const k = s.index[c];
    if (k < 0 || !sampleIn(k, c)) continue;
    index[c] = xs.length;
    xs.push(s.x[k]);
    ys.push(s.y[k]);
    zs.push(s.z[k]);
  }
  return { x0: s.x0, y0: s.y0, cell: s.cell, w: s.w, h: s.h, index, x: Float64Array.from(xs), y: Float64Array.from(ys), z: Float64Array.from(zs), cells, inside };
}

/**
 * The samples whose cell centres lie inside `fp` (a part's polygon cut from the footprint), in the same
 * window: a fit over a part sees only the cells the part's roof covers.
 */
export function samplesInside(s: RoofSamples, fp: Footprint): RoofSamples {
  const mask = new Uint8Array(s.index.length);
  forEachCellInside(fp, s.x0, s.y0, s.cell, s.w, s.h, (i, j) => (mask[j * s.w + i] = s.inside[j * s.w + i]));
  return selectSamples(s, (c) => mask[c] === 1);
}

/**
 * How much of a slope the samples hold as terraces: of the pairs of samples one cell apart along the
 * grid axis nearest `direction` (a compass bearing, downhill), the share whose heights differ by under a
 * quarter of what a plane at `angle` degrees would drop over that cell. A plane sampled at its own
 * pitch drops every cell (share near 0); a staircase of flat landings, which a steep plane fits on
 * average, drops only at its steps (share near 1). NaN with fewer than `minPairs` pairs.
 *
 * @example
 * ```ts
 * // a 68° "skillion" over three flat landings 1.5 m deep, 2.6 m apart
 * terracedShare(samplesInside(samples, part), 180, 68); // ≈ 0.7
 * ```
 */
export function terracedShare(s: RoofSamples, direction: number, angle: number, minPairs = 8): number {
  const r = (direction * Math.PI) / 180;
  const east = Math.sin(r), north = Math.cos(r);
  // one cell downhill, along the nearer axis (rows run south to north)
  const [di, dj, along] = Math.abs(east) >= Math.abs(north) ? [Math.sign(east), 0, Math.abs(east)] : [0, Math.sign(north), Math.abs(north)];
  const drop = Math.tan((Math.min(angle, 89) * Math.PI) / 180) * s.cell * along;
  let pairs = 0, flat = 0;
  for (let j = 0; j < s.h; j++)
    for (let i = 0; i < s.w; i++) {
      const a = s.index[j * s.w + i];
      const ii = i + di, jj = j + dj;
      if (a < 0 || ii < 0 || jj < 0 || ii >= s.w || jj >= s.h) continue;
      const b = s.index[jj * s.w + ii];
      if (b < 0) continue;
      pairs++;
      if (Math.abs(s.z[a] - s.z[b]) < 0.25 * drop) flat++;
    }
  return pairs >= minPairs ? flat / pairs : NaN;
}
