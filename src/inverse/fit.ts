/**
 * Robust least squares on flat typed arrays: z ≈ Σ βₖ·colₖ (a column of `null` is the constant 1),
 * by iteratively reweighted least squares — Huber weights to converge from the ordinary solution,
 * then Tukey's biweight, which gives outliers (trees, chimneys, a neighbour's eaves) zero weight.
 * Returns the parameters, their covariance σ²(JᵀWJ)⁻¹ and the residuals.
 */
export interface RobustFit {
  beta: number[];
  /** Row-major p × p covariance of `beta`. */
  cov: number[];
  /** Robust scale of the residuals (1.4826 × median |r|), metres. */
  scale: number;
  /** Root mean square of the inlier residuals (weight > 0), metres. */
  rmse: number;
  residuals: Float64Array;
  weights: Float64Array;
  /** Samples with weight > 0. */
  used: number;
}

/** Options for {@link robustFit}. */
export interface RobustFitOptions {
  /** The smallest scale assumed (metres): keeps noise-free data from rejecting rounding. */
  minScale: number;
  huberIterations: number;
  tukeyIterations: number;
  /**
   * Start from a RANSAC consensus (random minimal subsets; the one most samples agree with within
   * `ransacTolerance` metres) instead of ordinary least squares: survives more than half of the
   * samples being off the model (an annex, a neighbour's roof). 0 trials: no RANSAC.
   */
  ransacTrials: number;
  ransacTolerance: number;
}

/** Defaults for {@link RobustFitOptions}. */
export const ROBUST_FIT_DEFAULTS: RobustFitOptions = { minScale: 0.01, huberIterations: 4, tukeyIterations: 8, ransacTrials: 64, ransacTolerance: 0.5 };

/** Solve the p × p system A x = b (Gaussian elimination with pivoting, p ≤ 4); also returns A⁻¹. Null when singular. */
export function solve(A: number[], b: number[], p: number): { x: number[]; inv: number[] } | null {
  const M = A.slice();
  const inv: number[] = [];
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) inv.push(i === j ? 1 : 0);
  const x = b.slice();
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(M[r * p + c]) > Math.abs(M[piv * p + c])) piv = r;
    if (Math.abs(M[piv * p + c]) < 1e-12) return null;
    if (piv !== c) {
      for (let k = 0; k < p; k++) {
        [M[c * p + k], M[piv * p + k]] = [M[piv * p + k], M[c * p + k]];
        [inv[c * p + k], inv[piv * p + k]] = [inv[piv * p + k], inv[c * p + k]];
      }
      [x[c], x[piv]] = [x[piv], x[c]];
    }
    const d = M[c * p + c];
    for (let k = 0; k < p; k++) {
      M[c * p + k] /= d;
      inv[c * p + k] /= d;
    }
    x[c] /= d;
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = M[r * p + c];
      if (f === 0) continue;
      for (let k = 0; k < p; k++) {
        M[r * p + k] -= f * M[c * p + k];
        inv[r * p + k] -= f * inv[c * p + k];
      }
      x[r] -= f * x[c];
    }
  }
  return { x, inv };
}

/** Scratch for {@link medianAbs}, grown as needed. */
let scratch = new Float64Array(1024);

/** Median of |v| over the samples with weight > 0 (all without `w`), by quickselect on a scratch copy: O(n). */
function medianAbs(v: Float64Array, w?: Float64Array): number {
  if (scratch.length < v.length) scratch = new Float64Array(Math.max(v.length, 2 * scratch.length));
  const a = scratch;
  let n = 0;
  for (let k = 0; k < v.length; k++) if (!w || w[k] > 0) a[n++] = Math.abs(v[k]);
  if (!n) return 0;
  const m = n >> 1;
  const hi = select(a, 0, n - 1, m);
  if (n % 2) return hi;
  // the largest of the lower half
  let lo = -Infinity;
  for (let k = 0; k < m; k++) if (a[k] > lo) lo = a[k];
  return (lo + hi) / 2;
}

/** Hoare's quickselect: the k-th smallest of a[l..r] (a is reordered: a[l..k-1] ≤ a[k] ≤ a[k+1..r]). */
function select(a: Float64Array, l: number, r: number, k: number): number {
  while (r > l) {
    const pivot = a[(l + r) >> 1];
    let i = l, j = r;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) r = j;
    else if (k >= i) l = i;
    else break;
  }
  return a[k];
}

/** One weighted least-squares solve. */
function weighted(z: Float64Array, cols: (Float64Array | null)[], w: Float64Array): { x: number[]; inv: number[] } | null {
  const p = cols.length;
  const u = p === 2 && cols[0] === null ? cols[1] : null;
  if (u) {
    // the common case, z ≈ a + b·u: five sums in one pass
    let s = 0, su = 0, suu = 0, sz = 0, suz = 0;
    for (let k = 0; k < z.length; k++) {
      const wk = w[k];
      if (wk === 0) continue;
      const uk = u[k];
      s += wk;
      su += wk * uk;
      suu += wk * uk * uk;
      sz += wk * z[k];
      suz += wk * uk * z[k];
    }
    return solve([s, su, su, suu], [sz, suz], 2);
  }
  const A = new Array<number>(p * p).fill(0);
  const b = new Array<number>(p).fill(0);
  const n = z.length;
  for (let k = 0; k < n; k++) {
    const wk = w[k];
    if (wk === 0) continue;
    for (let i = 0; i < p; i++) {
      const ci = cols[i] ? cols[i]![k] : 1;
      b[i] += wk * ci * z[k];
      for (let j = i; j < p; j++) A[i * p + j] += wk * ci * (cols[j] ? cols[j]![k] : 1);
    }
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) A[i * p + j] = A[j * p + i];
  return solve(A, b, p);
}

function residualsOf(z: Float64Array, cols: (Float64Array | null)[], beta: number[], out: Float64Array): void {
  const u = cols.length === 2 && cols[0] === null ? cols[1] : null;
  if (u) {
    const a = beta[0], b = beta[1];
    for (let k = 0; k < z.length; k++) out[k] = z[k] - a - b * u[k];
    return;
  }
  for (let k = 0; k < z.length; k++) {
    let f = 0;
    for (let i = 0; i < cols.length; i++) f += beta[i] * (cols[i] ? cols[i]![k] : 1);
    out[k] = z[k] - f;
  }
}

/**
 * Fit z ≈ Σ βₖ·colₖ robustly. Null when the system is singular (e.g. a unit field that is constant).
 *
 * @example
 * ```ts
 * const f = robustFit(z, [null, unitField]); // eave height, roof height
 * f?.beta; // [eave, roofHeight]
 * ```
 */
export function robustFit(z: Float64Array, cols: (Float64Array | null)[], options: Partial<RobustFitOptions> = {}): RobustFit | null {
  const o = { ...ROBUST_FIT_DEFAULTS, ...options };
  const n = z.length;
  const p = cols.length;
  if (n <= p) return null;
  const w = new Float64Array(n).fill(1);
  const r = new Float64Array(n);
  let sol = weighted(z, cols, w);
  if (!sol) return null;
  let scale = 0;
  let first = 0;
  // RANSAC unless least squares already agrees with nearly every sample
  residualsOf(z, cols, sol.x, r);
  if (o.ransacTrials > 0 && inliers(r, o.ransacTolerance) < 0.9 * n) {
    const start = consensus(z, cols, p < 3 ? o.ransacTrials >> 1 : o.ransacTrials, o.ransacTolerance);
    if (start) {
      // least squares on the consensus set, then straight to Tukey with its scale
      residualsOf(z, cols, start, r);
      for (let k = 0; k < n; k++) w[k] = Math.abs(r[k]) <= o.ransacTolerance ? 1 : 0;
      const s0 = weighted(z, cols, w);
      if (s0) {
        residualsOf(z, cols, s0.x, r);
        // the better start of the two: by the samples within tolerance
        const r0 = new Float64Array(n);
        residualsOf(z, cols, sol.x, r0);
        if (inliers(r, o.ransacTolerance) >= inliers(r0, o.ransacTolerance)) {
          sol = s0;
          scale = Math.max(o.minScale, 1.4826 * medianAbs(r, w));
          first = o.huberIterations;
        }
      }
    }
  }
  for (let it = first; it < o.huberIterations + o.tukeyIterations; it++) {
    residualsOf(z, cols, sol.x, r);
    const tukey = it >= o.huberIterations;
    // the scale: re-estimated through the Huber stage, then held for Tukey's
    if (!tukey || (it === o.huberIterations && first === 0)) scale = Math.max(o.minScale, 1.4826 * medianAbs(r));
    if (!tukey) {
      const k = 1.345 * scale;
      for (let i = 0; i < n; i++) w[i] = Math.abs(r[i]) <= k ? 1 : k / Math.abs(r[i]);
    } else {
      const c = 4.685 * scale;
      for (let i = 0; i < n; i++) {
        const t = r[i] / c;
        w[i] = Math.abs(t) < 1 ? (1 - t * t) * (1 - t * t) : 0;
      }
    }
    const next = weighted(z, cols, w);
    if (!next) break;
    let change = 0;
    for (let i = 0; i < p; i++) change = Math.max(change, Math.abs(next.x[i] - sol.x[i]));
    sol = next;
    if (tukey && change < 1e-5) break;
  }
  residualsOf(z, cols, sol.x, r);
  let sw = 0, swr = 0, used = 0, ss = 0;
  for (let k = 0; k < n; k++) {
    if (w[k] > 0) {
      used++;
      ss += r[k] * r[k];
    }
    sw += w[k];
    swr += w[k] * r[k] * r[k];
  }
  const sigma2 = sw > p ? swr / (sw - p) : 0;
  return {
    beta: sol.x,
    cov: sol.inv.map((v) => v * sigma2),
    scale,
    rmse: used ? Math.sqrt(ss / used) : 0,
    residuals: r,
    weights: w,
    used,
  };
}

/** Samples within `tol` of the model. */
function inliers(r: Float64Array, tol: number): number {
  let c = 0;
  for (let k = 0; k < r.length; k++) if (Math.abs(r[k]) <= tol) c++;
  return c;
}

/**
 * RANSAC: the parameters of the minimal subset (p samples, drawn by a seeded generator: the same data
 * gives the same answer) that the most samples agree with within `tol` (counted on about 600
 * evenly spaced samples). Null when no subset is solvable.
 */
function consensus(z: Float64Array, cols: (Float64Array | null)[], trials: number, tol: number): number[] | null {
  const n = z.length;
  const p = cols.length;
  const step = Math.max(1, Math.floor(n / 600));
  let seed = (n * 2654435761) >>> 0;
  const rnd = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let best: number[] | null = null;
  let bestCount = -1;
  const A = new Array<number>(p * p);
  const b = new Array<number>(p);
  for (let t = 0; t < trials; t++) {
    for (let i = 0; i < p; i++) {
      const k = Math.floor(rnd() * n);
      b[i] = z[k];
      for (let j = 0; j < p; j++) A[i * p + j] = cols[j] ? cols[j]![k] : 1;
    }
    const s = solve(A, b, p);
    if (!s) continue;
    let count = 0;
    const u = p === 2 && cols[0] === null ? cols[1] : null;
    if (u) {
      const [a, c] = s.x;
      for (let k = 0; k < n; k += step) if (Math.abs(z[k] - a - c * u[k]) <= tol) count++;
    } else for (let k = 0; k < n; k += step) {
      let f = 0;
      for (let j = 0; j < p; j++) f += s.x[j] * (cols[j] ? cols[j]![k] : 1);
      if (Math.abs(z[k] - f) <= tol) count++;
    }
    if (count > bestCount) [best, bestCount] = [s.x, count];
  }
  return best;
}

/**
 * How much a fit over raster cells overstates its evidence: residuals of neighbouring cells are not
 * independent (a dormer, a tree's crown or a DSM's interpolation spans many cells), so σ²(JᵀWJ)⁻¹ and
 * likelihood ratios count each patch as many observations. Returns the variance inflation
 * ((1 + ρ) / (1 − ρ))² of a separable first-order autoregressive field, ρ the lag-one correlation of
 * the weighted residuals between row and column neighbours (clamped to 0…0.9), and at most
 * `n / (p + 1)` so that at least p + 1 effective samples remain.
 *
 * @param index sample index of each cell of a `w`-wide window (−1: no sample)
 * @example
 * ```ts
 * const k = residualInflation(s.index, s.w, fit.residuals, fit.weights, 2);
 * const varEave = fit.cov[0] * k;
 * ```
 */
export function residualInflation(index: Int32Array, w: number, residuals: Float64Array, weights: Float64Array, p: number): number {
  let sxy = 0, sxx = 0;
  const h = index.length / w;
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const a = index[j * w + i];
      if (a < 0 || weights[a] <= 0) continue;
      const ra = residuals[a] * Math.sqrt(weights[a]);
      const right = i + 1 < w ? index[j * w + i + 1] : -1;
      const up = j + 1 < h ? index[(j + 1) * w + i] : -1;
      for (const b of [right, up]) {
        if (b < 0 || weights[b] <= 0) continue;
        const rb = residuals[b] * Math.sqrt(weights[b]);
        sxy += ra * rb;
        sxx += (ra * ra + rb * rb) / 2;
      }
    }
  }
  const rho = sxx > 0 ? Math.min(0.9, Math.max(0, sxy / sxx)) : 0;
  const n = residuals.length;
  return Math.max(1, Math.min(((1 + rho) / (1 - rho)) ** 2, n / (p + 1)));
}
