import type { RoofSamples } from './samples.js';

/** Options for {@link segmentLevels}. */
export interface SegmentOptions {
  /** Largest height step (metres) between neighbouring cells of one roof; a larger one is a wall between levels. */
  step: number;
  /** Least area (m²) of a level that becomes a building part. */
  minArea: number;
  /** Least share of the footprint a level covers to become a part. */
  minShare: number;
  /** Least height difference (metres) between two levels' medians for them to stay apart. */
  minRise: number;
}

/** Defaults for {@link SegmentOptions}. */
export const SEGMENT_DEFAULTS: SegmentOptions = { step: 1.6, minArea: 12, minShare: 0.08, minRise: 1.5 };

/**
 * Split a footprint's surface into levels — roofs separated by walls (height steps) — as building
 * parts: region growing over the samples (4-neighbours closer than `step` in height join), levels too
 * small to stand alone (chimneys, dormers, noise) and levels whose median height is within `minRise`
 * of a neighbour they touch merged away; then every cell inside the footprint, with data or not,
 * takes the label of the nearest kept level. Returns the labels per window cell (−1 outside the
 * footprint) and the number of levels, or null when there is one level only.
 *
 * @example
 * ```ts
 * const seg = segmentLevels(samples);
 * if (seg) console.log(`${seg.count} levels`);
 * ```
 */
export function segmentLevels(s: RoofSamples, options: Partial<SegmentOptions> = {}): { labels: Int32Array; count: number } | null {
  const o = { ...SEGMENT_DEFAULTS, ...options };
  const { w, h, index, z, inside } = s;
  const N = w * h;
  const region = new Int32Array(N).fill(-1);
  const queue = new Int32Array(N);
  const sizes: number[] = [];
  // 1. region growing over cells with data
  for (let c0 = 0; c0 < N; c0++) {
    if (index[c0] < 0 || region[c0] >= 0) continue;
    const r = sizes.length;
    let head = 0, tail = 0;
    queue[tail++] = c0;
    region[c0] = r;
    while (head < tail) {
      const c = queue[head++];
      const zc = z[index[c]];
      const i = c % w;
      for (const d of [i > 0 ? c - 1 : -1, i + 1 < w ? c + 1 : -1, c >= w ? c - w : -1, c + w < N ? c + w : -1]) {
        if (d < 0 || region[d] >= 0 || index[d] < 0) continue;
        if (Math.abs(z[index[d]] - zc) > o.step) continue;
        region[d] = r;
        queue[tail++] = d;
      }
    }
    sizes.push(tail);
  }
  const cellArea = s.cell * s.cell;
  const minCells = Math.max(o.minArea / cellArea, o.minShare * s.cells);
  // 2. the levels big enough, by their median height
  const kept = sizes.map((n) => n >= minCells);
  if (kept.filter(Boolean).length < 2) return null;
  const medians = sizes.map(() => 0);
  {
    const by: number[][] = sizes.map(() => []);
    for (let c = 0; c < N; c++) if (region[c] >= 0 && kept[region[c]]) by[region[c]].push(z[index[c]]);
    by.forEach((v, r) => {
      if (!v.length) return;
      v.sort((a, b) => a - b);
      medians[r] = v[v.length >> 1];
    });
  }
  // 3. every cell inside: the nearest kept level (multi-source BFS, 4-neighbours)
  const label = new Int32Array(N).fill(-1);
  let head = 0, tail = 0;
  for (let c = 0; c < N; c++)
    if (region[c] >= 0 && kept[region[c]]) {
      label[c] = region[c];
      queue[tail++] = c;
    }
  while (head < tail) {
    const c = queue[head++];
    const i = c % w;
    for (const d of [i > 0 ? c - 1 : -1, i + 1 < w ? c + 1 : -1, c >= w ? c - w : -1, c + w < N ? c + w : -1]) {
      if (d < 0 || label[d] >= 0 || !inside[d]) continue;
      label[d] = label[c];
      queue[tail++] = d;
    }
  }
  // 4. merge touching levels of about the same height (a roof split by a gap in the data)
  const parent = sizes.map((_, r) => r);
  const find = (r: number): number => (parent[r] === r ? r : (parent[r] = find(parent[r])));
  for (let c = 0; c < N; c++) {
    if (label[c] < 0) continue;
    const i = c % w;
    for (const d of [i + 1 < w ? c + 1 : -1, c + w < N ? c + w : -1]) {
      if (d < 0 || label[d] < 0 || label[d] === label[c]) continue;
      const a = find(label[c]), b = find(label[d]);
      if (a !== b && Math.abs(medians[a] - medians[b]) < o.minRise) parent[Math.max(a, b)] = Math.min(a, b);
    }
  }
  // 5. renumber 0…count-1 by first appearance (deterministic)
  const ids = new Map<number, number>();
  for (let c = 0; c < N; c++) {
    if (label[c] < 0) continue;
    const r = find(label[c]);
    let id = ids.get(r);
    if (id === undefined) ids.set(r, (id = ids.size));
    label[c] = id;
  }
  return ids.size < 2 ? null : { labels: label, count: ids.size };
}
