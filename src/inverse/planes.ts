import { selectSamples, type RoofSamples } from './samples.js';

/** Options for {@link segmentPlanes}. */
export interface PlaneOptions {
  /** Largest distance (metres, vertical) of a cell from its plane. */
  tolerance: number;
  /** Largest angle (degrees) between a cell's local normal and its plane's. */
  maxAngle: number;
  /** Least area (m²) of a plane that is kept. */
  minArea: number;
  /** Slope (degrees) under which a plane counts as flat. */
  flatSlope: number;
}

/** Defaults for {@link PlaneOptions}. */
export const PLANE_DEFAULTS: PlaneOptions = { tolerance: 0.2, maxAngle: 12, minArea: 3, flatSlope: 5 };

/** One roof plane found in a surface model: z = a + b·(x − x0) + c·(y − y0) over its cells. */
export interface RoofPlane {
  /** Height of the plane at the samples' window origin (x0, y0), and its gradient (rise per metre east, north). */
  a: number;
  b: number;
  c: number;
  /** Cells labelled with this plane (after filling gaps). */
  cells: number;
  /** Horizontal area, m². */
  area: number;
  /** Slope, degrees. */
  slope: number;
  /** Downhill bearing (degrees clockwise from north); NaN on a flat plane. */
  aspect: number;
  /** Lowest and highest sample height on the plane (above the building's ground). */
  zmin: number;
  zmax: number;
}

const DEG = 180 / Math.PI;

/**
 * How far (vertically) a cell of a plane may lie from it: the tolerance, plus half a cell's rise on a
 * slope (where in its cell a surface model's value was taken moves it that much on a steep roof).
 */
export const reach = (p: { b: number; c: number }, tolerance: number, cell: number): number => tolerance + (Math.hypot(p.b, p.c) * cell) / 2;

/** Running least-squares sums of a plane z = a + b·x + c·y (x, y relative to the window's origin). */
class PlaneSums {
  n = 0; sx = 0; sy = 0; sz = 0; sxx = 0; sxy = 0; syy = 0; sxz = 0; syz = 0;
  add(x: number, y: number, z: number): void {
    this.n++; this.sx += x; this.sy += y; this.sz += z;
    this.sxx += x * x; this.sxy += x * y; this.syy += y * y; this.sxz += x * z; this.syz += y * z;
  }
  merge(o: PlaneSums): void {
    this.n += o.n; this.sx += o.sx; this.sy += o.sy; this.sz += o.sz;
    this.sxx += o.sxx; this.sxy += o.sxy; this.syy += o.syy; this.sxz += o.sxz; this.syz += o.syz;
  }
  /** [a, b, c], or null while the points do not span a plane (then: the mean height, level). */
  solve(): [number, number, number] {
    const { n } = this;
    const mx = this.sx / n, my = this.sy / n, mz = this.sz / n;
    const cxx = this.sxx / n - mx * mx, cxy = this.sxy / n - mx * my, cyy = this.syy / n - my * my;
    const cxz = this.sxz / n - mx * mz, cyz = this.syz / n - my * mz;
    const det = cxx * cyy - cxy * cxy;
    if (n < 3 || det < 1e-9 * Math.max(1e-12, cxx * cyy)) return [mz, 0, 0];
    const b = (cxz * cyy - cyz * cxy) / det;
    const c = (cyz * cxx - cxz * cxy) / det;
    return [mz - b * mx - c * my, b, c];
  }
}

/**
 * Split a footprint's surface into roof planes: each cell's local plane (least squares over its 3×3
 * neighbours with data), then region growing from the most planar cells (RMS misfit under half the tolerance) — a neighbour joins a plane when
 * it lies within `tolerance` of it and its local normal within `maxAngle` of the plane's (the plane is
 * refitted as it grows) — planes under `minArea` dropped, touching planes that are the same plane merged,
 * every cell inside the footprint given the label of the nearest plane, planes the growing missed found
 * among the cells left off their planes, and each cell then moved to the plane beside it that its height
 * lies on. Deterministic (ties in cell order). Returns the label of each window cell (−1 outside the footprint) and the planes, largest first.
 *
 * @example
 * ```ts
 * const { planes } = segmentPlanes(sampleFootprint(fp, dsm, ground));
 * planes.filter((p) => p.slope > 5).length; // sloped planes
 * ```
 */
export function segmentPlanes(s: RoofSamples, options: Partial<PlaneOptions> = {}): { labels: Int32Array; planes: RoofPlane[] } {
  const o = { ...PLANE_DEFAULTS, ...options };
  const { w, h, index, z, cell } = s;
  const N = w * h;
  // cell coordinates relative to the window origin
  const X = (c: number) => ((c % w) + 0.5) * cell;
  const Y = (c: number) => (Math.floor(c / w) + 0.5) * cell;
  // 1. local planes: gradient and the RMS misfit over the 3×3 neighbourhood (all 9 with data)
  const gx = new Float64Array(N).fill(NaN), gy = new Float64Array(N).fill(NaN), misfit = new Float64Array(N).fill(Infinity);
  for (let j = 1; j + 1 < h; j++)
    for (let i = 1; i + 1 < w; i++) {
      const c = j * w + i;
      if (index[c] < 0) continue;
      let ok = true;
      let sx = 0, sy = 0, sz = 0;
      for (let dj = -1; dj <= 1 && ok; dj++)
        for (let di = -1; di <= 1; di++) {
          const k = index[c + dj * w + di];
          if (k < 0) {
            ok = false;
            break;
          }
          sx += di * z[k];
          sy += dj * z[k];
          sz += z[k];
        }
      if (!ok) continue;
      // least squares on the 3×3 stencil: Σdi² = Σdj² = 6
      const b = sx / (6 * cell), cc = sy / (6 * cell), a = sz / 9;
      let m = 0;
      for (let dj = -1; dj <= 1; dj++)
        for (let di = -1; di <= 1; di++) m += (z[index[c + dj * w + di]] - (a + b * di * cell + cc * dj * cell)) ** 2;
      gx[c] = b;
      gy[c] = cc;
      misfit[c] = Math.sqrt(m / 9);
    }
  // 2. region growing from the most planar cells (a stable order: misfit, then cell index)
  const seeds: number[] = [];
  for (let c = 0; c < N; c++) if (misfit[c] < o.tolerance / 2) seeds.push(c);
  seeds.sort((p, q) => misfit[p] - misfit[q] || p - q);
  const region = new Int32Array(N).fill(-1);
  const queue = new Int32Array(N);
  const sums: PlaneSums[] = [];
  const cosMax = Math.cos(o.maxAngle / DEG);
  const minCells = Math.max(4, o.minArea / (cell * cell));
  const normalsAgree = (c: number, b: number, cc: number) => {
    if (!Number.isFinite(gx[c])) return true;
    const dot = 1 + gx[c] * b + gy[c] * cc;
    return dot / Math.sqrt((1 + gx[c] ** 2 + gy[c] ** 2) * (1 + b * b + cc * cc)) >= cosMax;
  };
  for (const seed of seeds) {
    if (region[seed] !== -1) continue;
    const r = sums.length;
    const ps = new PlaneSums();
    let [a, b, cc] = [z[index[seed]] - gx[seed] * X(seed) - gy[seed] * Y(seed), gx[seed], gy[seed]];
    let head = 0, tail = 0, lastFit = 1;
    queue[tail++] = seed;
    region[seed] = r;
    ps.add(X(seed), Y(seed), z[index[seed]]);
    while (head < tail) {
      const c = queue[head++];
      const i = c % w;
      for (const d of [i > 0 ? c - 1 : -1, i + 1 < w ? c + 1 : -1, c >= w ? c - w : -1, c + w < N ? c + w : -1]) {
        if (d < 0 || region[d] >= 0 || index[d] < 0) continue;
        const zd = z[index[d]];
        if (Math.abs(zd - (a + b * X(d) + cc * Y(d))) > o.tolerance + (Math.hypot(b, cc) * cell) / 2 || !normalsAgree(d, b, cc)) continue;
        region[d] = r;
        queue[tail++] = d;
        ps.add(X(d), Y(d), zd);
        // refit as the plane grows by a quarter (and at first every few cells)
        if (ps.n >= 6 && ps.n >= lastFit * 1.25) {
          [a, b, cc] = ps.solve();
          lastFit = ps.n;
        }
      }
    }
    if (tail < minCells) {
      // too small to be a plane: its cells stay free for others (but not seeds of their own)
      for (let q = 0; q < tail; q++) region[queue[q]] = -2;
    }
    sums.push(ps);
  }
  for (let c = 0; c < N; c++) if (region[c] === -2) region[c] = -1;
  const kept = sums.map((p) => p.n >= minCells);
  // 3. merge touching planes that are one plane (a plane split by a chimney or a gap)
  const parent = sums.map((_, r) => r);
  const find = (r: number): number => (parent[r] === r ? r : (parent[r] = find(parent[r])));
  const fits = sums.map((p) => p.solve());
  for (let c = 0; c < N; c++) {
    if (region[c] < 0 || !kept[region[c]]) continue;
    const i = c % w;
    for (const d of [i + 1 < w ? c + 1 : -1, c + w < N ? c + w : -1]) {
      if (d < 0 || region[d] < 0 || !kept[region[d]]) continue;
      const p = find(region[c]), q = find(region[d]);
      if (p === q) continue;
      const [a1, b1, c1] = fits[p], [a2, b2, c2] = fits[q];
      const dot = (1 + b1 * b2 + c1 * c2) / Math.sqrt((1 + b1 * b1 + c1 * c1) * (1 + b2 * b2 + c2 * c2));
      const x = X(c), y = Y(c);
      if (dot >= Math.cos(3 / DEG) && Math.abs(a1 + b1 * x + c1 * y - (a2 + b2 * x + c2 * y)) < o.tolerance) {
        const [lo, hi] = p < q ? [p, q] : [q, p];
        parent[hi] = lo;
        sums[lo].merge(sums[hi]);
        fits[lo] = sums[lo].solve();
      }
    }
  }
  // 4. every cell inside the footprint: its plane's root, or the nearest plane's (multi-source BFS)
  const label = new Int32Array(N).fill(-1);
  let head = 0, tail = 0;
  for (let c = 0; c < N; c++)
    if (region[c] >= 0 && kept[region[c]]) {
      label[c] = find(region[c]);
      queue[tail++] = c;
    }
  while (head < tail) {
    const c = queue[head++];
    const i = c % w;
    for (const d of [i > 0 ? c - 1 : -1, i + 1 < w ? c + 1 : -1, c >= w ? c - w : -1, c + w < N ? c + w : -1]) {
      if (d < 0 || label[d] >= 0 || !s.inside[d]) continue;
      label[d] = label[c];
      queue[tail++] = d;
    }
  }
  // 4b. what the planes leave unexplained: a plane whose seeds never formed (a narrow hip end or a
  // dormer, where few 3×3 neighbourhoods lie on one plane) was taken in by its neighbours' growth or the
  // filling above; its cells lie off their labels' planes. Each connected run of such cells that one
  // plane explains becomes a plane of its own.
  residuePlanes(s, label, region, parent, fits, sums, o.tolerance, minCells);
  // 4c. each cell to the plane beside it that its height lies on (cells at a step between levels)
  relabelByHeight(s, label, fits, o.tolerance);
  // 5. the planes, largest first (ties: first cell), numbered 0…
  const count = new Map<number, number>();
  const first = new Map<number, number>();
  const zr = new Map<number, [number, number]>();
  for (let c = 0; c < N; c++) {
    const l = label[c];
    if (l < 0) continue;
    count.set(l, (count.get(l) ?? 0) + 1);
    if (!first.has(l)) first.set(l, c);
    if (index[c] >= 0 && region[c] >= 0 && find(region[c]) === l) {
      const v = zr.get(l) ?? [Infinity, -Infinity];
      zr.set(l, [Math.min(v[0], z[index[c]]), Math.max(v[1], z[index[c]])]);
    }
  }
  const roots = [...count.keys()].sort((p, q) => count.get(q)! - count.get(p)! || first.get(p)! - first.get(q)!);
  const ids = new Map(roots.map((r, k) => [r, k]));
  for (let c = 0; c < N; c++) if (label[c] >= 0) label[c] = ids.get(label[c])!;
  const planes: RoofPlane[] = roots.map((r) => {
    const [a, b, c] = fits[r];
    const g = Math.hypot(b, c);
    const slope = Math.atan(g) * DEG;
    const [zmin, zmax] = zr.get(r) ?? [NaN, NaN];
    return { a, b, c, cells: count.get(r)!, area: count.get(r)! * cell * cell, slope, aspect: slope < o.flatSlope ? NaN : ((Math.atan2(-b, -c) * DEG) % 360 + 360) % 360, zmin, zmax };
  });
  return { labels: label, planes };
}

/** Passes of {@link relabelByHeight}. */
const RELABEL_PASSES = 2;

/** How much nearer (metres) a neighbouring plane must lie to a cell's height than its own plane for the cell to change planes. */
const RELABEL_MARGIN = 0.05;

/**
 * Each labelled cell goes to the plane among its own and its eight neighbours' that lies nearest its
 * height, where that plane explains it (within {@link reach}) and lies nearer by {@link RELABEL_MARGIN}
 * m than its own ({@link RELABEL_PASSES} passes, each over the labels of the one before: deterministic).
 * Cells beside a step between two levels, whose 3×3 neighbourhoods straddle the step, join no plane
 * while the planes grow; filled with the nearest plane's label, they went to whichever plane reached
 * them first, often the other level (1 % of a stepped roof's cells, 3 m off).
 */
function relabelByHeight(s: RoofSamples, label: Int32Array, fits: readonly [number, number, number][], tolerance: number): void {
  const { w, h, index, z, cell } = s;
  for (let pass = 0; pass < RELABEL_PASSES; pass++) {
    const next = label.slice();
    for (let j = 0; j < h; j++)
      for (let i = 0; i < w; i++) {
        const c = j * w + i;
        const k = index[c];
        if (k < 0 || label[c] < 0) continue;
        const x = (i + 0.5) * cell, y = (j + 0.5) * cell;
        const off = (l: number) => Math.abs(z[k] - (fits[l][0] + fits[l][1] * x + fits[l][2] * y));
        let best = label[c], bestOff = off(best) - RELABEL_MARGIN;
        for (let jj = Math.max(0, j - 1); jj <= Math.min(h - 1, j + 1); jj++)
          for (let ii = Math.max(0, i - 1); ii <= Math.min(w - 1, i + 1); ii++) {
            const l = label[jj * w + ii];
            if (l < 0 || l === best) continue;
            const d = off(l);
            if (d < bestOff && d <= reach({ b: fits[l][1], c: fits[l][2] }, tolerance, cell)) [best, bestOff] = [l, d];
          }
        next[c] = best;
      }
    label.set(next);
  }
}

/** Least share of a run's inner cells its own plane must explain for it to become a plane ({@link residuePlanes}). */
const RESIDUE_EXPLAINS = 0.7;

/** Fewest inner cells of such a run (cells off the outline): fewer are noise. */
const RESIDUE_CORE = 4;

/** Fewest cells of such a run with all four neighbours in it: a narrower run is an edge, not a plane. */
const RESIDUE_INTERIOR = 1;

/** Steepest (degrees) such a plane may be: a steeper one is a wall seen across a cell's width. */
const RESIDUE_STEEPEST = 70;

/** Least size of such a plane, as a share of the smallest plane the growing keeps: a plane it missed is often a narrow one. */
const RESIDUE_MIN_SHARE = 0.5;

/** How many cells beyond its inner cells a run may reach onto the outline's own cells. */
const RESIDUE_REACH = 2;

/**
 * Planes the region growing missed (step 4b of {@link segmentPlanes}): the cells lying off their
 * label's plane (beyond {@link reach}). The outline's own cells hold the wall and the ground beyond it
 * as much as the roof, so runs are found among the inner cells (4-connected, at least
 * {@link RESIDUE_CORE}, no strip: {@link RESIDUE_INTERIOR}) and reach at most {@link RESIDUE_REACH}
 * cells onto the outline's off cells. A run's own plane (least squares on its inner cells, then refitted
 * twice on the cells within reach of it) that explains {@link RESIDUE_EXPLAINS} of its inner cells and
 * at least `minCells` cells in all, and is no wall ({@link RESIDUE_STEEPEST}), becomes a plane; the
 * cells it explains take its label. Mutates `label`, `region`, `parent`, `fits` and `sums`.
 */
function residuePlanes(s: RoofSamples, label: Int32Array, region: Int32Array, parent: number[], fits: [number, number, number][], sums: PlaneSums[], tolerance: number, minCells: number): void {
  const { w, h, index, z, cell } = s;
  const N = w * h;
  const X = (c: number) => ((c % w) + 0.5) * cell;
  const Y = (c: number) => (Math.floor(c / w) + 0.5) * cell;
  const neighbours = (c: number): number[] => {
    const i = c % w;
    return [i > 0 ? c - 1 : -1, i + 1 < w ? c + 1 : -1, c >= w ? c - w : -1, c + w < N ? c + w : -1];
  };
  // 1 = off its plane, inner; 2 = off its plane, on the outline
  const off = new Uint8Array(N);
  for (let c = 0; c < N; c++) {
    const k = index[c];
    if (k < 0 || label[c] < 0) continue;
    const [a, b, cc] = fits[label[c]];
    if (Math.abs(z[k] - (a + b * X(c) + cc * Y(c))) <= reach({ b, c: cc }, tolerance, cell)) continue;
    off[c] = neighbours(c).every((d) => d >= 0 && s.inside[d]) ? 1 : 2;
  }
  const seen = new Int32Array(N).fill(-1);
  const queue = new Int32Array(N);
  for (let start = 0; start < N; start++) {
    if (off[start] !== 1 || seen[start] >= 0) continue;
    let head = 0, tail = 0;
    queue[tail++] = start;
    seen[start] = start;
    while (head < tail) {
      const c = queue[head++];
      for (const d of neighbours(c)) {
        if (d < 0 || off[d] !== 1 || seen[d] >= 0) continue;
        seen[d] = start;
        queue[tail++] = d;
      }
    }
    if (tail < RESIDUE_CORE) continue;
    const core = Array.from(queue.subarray(0, tail));
    let interior = 0;
    for (const c of core) if (neighbours(c).every((d) => d >= 0 && off[d])) interior++;
    if (interior < RESIDUE_INTERIOR) continue;
    // the run's reach onto the outline's off cells
    const run = core.slice();
    const depth = new Map<number, number>();
    for (let q = 0; q < run.length; q++) {
      const c = run[q];
      const dc = depth.get(c) ?? 0;
      if (dc >= RESIDUE_REACH) continue;
      for (const d of neighbours(c)) {
        if (d < 0 || off[d] !== 2 || depth.has(d)) continue;
        depth.set(d, dc + 1);
        run.push(d);
      }
    }
    let members = core;
    let fit: [number, number, number] = [0, 0, 0];
    let ps = new PlaneSums();
    let explainedCore = 0;
    for (let it = 0; it < 3 && members.length >= 3; it++) {
      ps = new PlaneSums();
      for (const c of members) ps.add(X(c), Y(c), z[index[c]]);
      fit = ps.solve();
      const [a, b, cc] = fit;
      const r = reach({ b, c: cc }, tolerance, cell);
      const within = (c: number) => Math.abs(z[index[c]] - (a + b * X(c) + cc * Y(c))) <= r;
      members = run.filter(within);
      explainedCore = core.filter(within).length;
    }
    if (members.length < RESIDUE_MIN_SHARE * minCells || explainedCore < RESIDUE_EXPLAINS * core.length || Math.atan(Math.hypot(fit[1], fit[2])) * DEG > RESIDUE_STEEPEST) continue;
    const root = sums.length;
    sums.push(ps);
    fits.push(fit);
    parent.push(root);
    for (const c of members) label[c] = region[c] = root;
  }
}

/**
 * The share of a footprint's samples that lie within `tolerance` (metres) of the plane their cell is
 * labelled with: how much of the surface a set of planes explains.
 */
export function planesExplain(s: RoofSamples, labels: Int32Array, planes: readonly RoofPlane[], tolerance: number): number {
  let ok = 0;
  const n = s.z.length;
  if (!n) return 0;
  for (let c = 0; c < labels.length; c++) {
    const k = s.index[c];
    if (k < 0 || labels[c] < 0) continue;
    const p = planes[labels[c]];
    const x = ((c % s.w) + 0.5) * s.cell, y = (Math.floor(c / s.w) + 0.5) * s.cell;
    if (Math.abs(s.z[k] - (p.a + p.b * x + p.c * y)) <= reach(p, tolerance, s.cell)) ok++;
  }
  return ok / n;
}

/**
 * The samples of some planes: those of the cells labelled with a plane in `which` that lie within
 * `tolerance` of their plane (the rest — a chimney, a neighbour's eave, the wall's edge — are not the
 * plane's), in the same window; `cells` counts every cell so labelled.
 */
export function planeSamples(s: RoofSamples, labels: Int32Array, planes: readonly RoofPlane[], which: (plane: number) => boolean, tolerance: number): RoofSamples {
  return selectSamples(s, (c) => labels[c] >= 0 && which(labels[c]), (k, c) => {
    const p = planes[labels[c]];
    const x = ((c % s.w) + 0.5) * s.cell, y = (Math.floor(c / s.w) + 0.5) * s.cell;
    return Math.abs(s.z[k] - (p.a + p.b * x + p.c * y)) <= reach(p, tolerance, s.cell);
  });
}

/**
 * Pairs of planes that meet without a step — a ridge, a hip, a valley, a kink — and may belong to one
 * roof: along their shared boundary (4-neighbour cell pairs) both planes agree within `tolerance` on at
 * least `minLength` metres. Returned as [p, q] with p < q, in order.
 */
export function joinedPlanes(s: RoofSamples, labels: Int32Array, planes: readonly RoofPlane[], tolerance: number, minLength = 2): [number, number][] {
  const { w, h, cell } = s;
  const counts = new Map<number, number>();
  const P = planes.length;
  for (let j = 0; j < h; j++)
    for (let i = 0; i < w; i++) {
      const c = j * w + i;
      const p = labels[c];
      if (p < 0) continue;
      for (const [d, mx, my] of [[i + 1 < w ? c + 1 : -1, i + 1, j + 0.5], [j + 1 < h ? c + w : -1, i + 0.5, j + 1]] as const) {
        if (d < 0) continue;
        const q = labels[d];
        if (q < 0 || q === p) continue;
        const x = mx * cell, y = my * cell;
        const A = planes[p], B = planes[q];
        if (Math.abs(A.a + A.b * x + A.c * y - (B.a + B.b * x + B.c * y)) > Math.max(reach(A, tolerance, cell), reach(B, tolerance, cell))) continue;
        const key = Math.min(p, q) * P + Math.max(p, q);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
  const out: [number, number][] = [];
  for (const [key, n] of counts) if (n * cell >= minLength) out.push([Math.floor(key / P), key % P]);
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/**
 * A majority filter over labels (3×3, `passes` times): a cell inside the footprint takes the label most
 * of its neighbourhood has (ties keep its own), so part outlines follow the planes' edges rather than
 * the cell noise along them.
 */
export function smoothLabels(labels: Int32Array, w: number, h: number, passes = 2): Int32Array {
  let cur = labels.slice();
  const votes = new Map<number, number>();
  for (let p = 0; p < passes; p++) {
    const next = cur.slice();
    for (let j = 0; j < h; j++)
      for (let i = 0; i < w; i++) {
        const c = j * w + i;
        if (cur[c] < 0) continue;
        votes.clear();
        for (let dj = -1; dj <= 1; dj++)
          for (let di = -1; di <= 1; di++) {
            const ii = i + di, jj = j + dj;
            if (ii < 0 || jj < 0 || ii >= w || jj >= h) continue;
            const l = cur[jj * w + ii];
            if (l >= 0) votes.set(l, (votes.get(l) ?? 0) + 1);
          }
        let best = cur[c], n = votes.get(best) ?? 0;
        for (const [l, v] of votes) if (v > n) [best, n] = [l, v];
        next[c] = best;
      }
    cur = next;
  }
  return cur;
}

/** A roof plane's horizontal area (m²), slope (degrees) and aspect (downhill bearing; NaN when flat). */
export interface PlaneSummary {
  area: number;
  slope: number;
  aspect: number;
}

/** The roof classes of {@link roofTopology}. */
export type RoofTopology = 'flat' | 'single-slope' | 'two-plane' | 'multi-plane';

const angleApart = (a: number, b: number) => {
  const d = (((a - b) % 360) + 360) % 360;
  return Math.min(d, 360 - d);
};

/**
 * What a set of roof planes is, as LoD2 truth data classifies roofs, by their own (sloped) areas
 * (`areas`: whether the planes' `area` is in plan, as segmented planes' and model planes' are, or
 * already the sloped surface's, as the truth's): sloped planes (over 5°) under 10 % of the roof area → flat; else the distinct aspects (more than 20° apart) of the sloped planes holding at
 * least 5 % of the sloped area: one → single-slope, two opposite ones (more than 160° apart) → two-plane,
 * any other → multi-plane.
 */
export function roofTopology(given: readonly PlaneSummary[], areas: 'plan' | 'surface' = 'plan'): RoofTopology {
  // the truth data weighs planes by their own (sloped) area: a plane's area in plan over cos(slope)
  const planes = areas === 'surface' ? given : given.map((p) => ({ ...p, area: p.area / Math.cos((Math.min(p.slope, 89) * Math.PI) / 180) }));
  const total = planes.reduce((s, p) => s + p.area, 0);
  const sloped = planes.filter((p) => p.slope > 5).sort((a, b) => b.area - a.area);
  const slopedArea = sloped.reduce((s, p) => s + p.area, 0);
  if (!sloped.length || slopedArea < 0.1 * total) return 'flat';
  const aspects: number[] = [];
  for (const p of sloped) {
    if (p.area < 0.05 * slopedArea) continue;
    if (aspects.every((a) => angleApart(a, p.aspect) > 20)) aspects.push(p.aspect);
  }
  if (aspects.length <= 1) return 'single-slope';
  return aspects.length === 2 && angleApart(aspects[0], aspects[1]) > 160 ? 'two-plane' : 'multi-plane';
}

/**
 * The planes of a roof model with heights `z` scaled by `roofHeight` (a unit roof from `unitRoof`): each
 * face's horizontal area, slope and aspect, faces in one plane (a builder's strips) merged.
 */
export function modelPlanes(m: { x: ArrayLike<number>; y: ArrayLike<number>; z: ArrayLike<number>; faces: number[][] }, roofHeight: number): PlaneSummary[] {
  const out: PlaneSummary[] = [];
  for (const f of m.faces) {
    if (f.length < 3) continue;
    let nx = 0, ny = 0, nz = 0;
    for (let i = 0; i < f.length; i++) {
      const a = f[i], b = f[(i + 1) % f.length];
      const za = m.z[a] * roofHeight, zb = m.z[b] * roofHeight;
      nx += (m.y[a] - m.y[b]) * (za + zb);
      ny += (za - zb) * (m.x[a] + m.x[b]);
      nz += (m.x[a] - m.x[b]) * (m.y[a] + m.y[b]);
    }
    const area = Math.abs(nz) / 2;
    if (!(area > 0)) continue;
    const s = Math.sign(nz) || 1;
    const slope = Math.atan2(Math.hypot(nx, ny), Math.abs(nz)) * DEG;
    const p = { area, slope, aspect: slope < 1e-9 ? NaN : ((Math.atan2(nx * s, ny * s) * DEG) % 360 + 360) % 360 };
    const same = out.find((o) => Math.abs(o.slope - p.slope) < 0.5 && (p.slope < 0.5 || angleApart(o.aspect, p.aspect) < 0.5));
    if (same) same.area += p.area;
    else out.push(p);
  }
  return out;
}
