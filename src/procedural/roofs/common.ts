import type { Footprint } from '../footprint.js';
import type { RoofInput } from './types.js';
import { RoofModel, type Gable } from './model.js';

/** Where a roof starts (its eaves, in the frame) and how tall it is. */
export interface RoofSpan {
  base: number;
  height: number;
}

/** The least wall a derived roof height leaves: a quarter of the building, at most 3 m. */
export function minimumWall(available: number): number {
  return Math.min(0.25 * available, 3);
}

/** How far (m) a roof's height from its `roof:angle` may lie from its `roof:height` unsaid (rounding in the data). */
const ANGLE_HEIGHT_SLACK = 0.1;

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * The roof's span: `roof:height` (or levels) when tagged; else from `roof:angle`, else from the
 * shape's default angle over the run `run` (metres from eave to ridge), or the shape's own default
 * height (`defaultHeight`, e.g. a dome's radius). Every clamp is counted:
 * - a tagged height taller than the building is clamped to it (`roof:height-clamped-to-building`);
 * - a derived height that would eat the walls is reduced to leave {@link minimumWall}
 *   (`roof:height-reduced-to-leave-walls`) — a roof is never all there is unless tagged so;
 * - when the building's height came from `building:levels` (`roof.onTop`), a derived roof stands on
 *   top of the walls instead, as S3DB counts levels below the roof;
 * - `keepWall` (a shape whose low points lie inside the footprint, like sawtooth): even a tagged
 *   height leaves the minimum wall, or the roof's valleys would touch the floor.
 */
export function roofSpan(input: RoofInput, run: number, defaultAngle: number, options: { keepWall?: boolean; defaultHeight?: number } = {}): RoofSpan {
  const available = input.apex - input.minHeight;
  const most = available - minimumWall(available);
  let h: number;
  if (input.roof.height !== null) {
    h = input.roof.height;
    // (angle-edit-ignored-unsaid: a roof:angle beside a roof:height was left out without a word, so an edited
    // angle changed nothing; where the two disagree, it is said which one the roof follows)
    const angle = input.roof.angle;
    if (angle !== null && options.defaultHeight === undefined && run > 0) {
      const fromAngle = Math.tan((angle * Math.PI) / 180) * run;
      if (Math.abs(fromAngle - h) > Math.max(ANGLE_HEIGHT_SLACK, 0.05 * h))
        input.warn('roof:angle-ignored', `roof:angle ${angle}° would make the roof ${round2(fromAngle)} m tall over its ${round2(run)} m run, roof:height says ${round2(h)} m: roof:height followed (${round2((Math.atan(h / run) * 180) / Math.PI)}°); edit both, or leave roof:height out for the angle to set it`);
    }
    if (h > available) {
      input.warn('roof:height-clamped-to-building');
      h = available;
    }
    if (options.keepWall && h > most) {
      input.warn('roof:height-reduced-to-leave-walls');
      h = most;
    }
    return { base: input.apex - Math.max(0, h), height: Math.max(0, h) };
  }
  h = input.roof.angle === null && options.defaultHeight !== undefined ? options.defaultHeight : Math.tan(((input.roof.angle ?? defaultAngle) * Math.PI) / 180) * run;
  h = Math.max(0, h);
  if (input.roof.onTop) return { base: input.apex, height: h };
  if (h > most) {
    input.warn('roof:height-reduced-to-leave-walls');
    h = Math.max(0, most);
  }
  return { base: input.apex - h, height: h };
}

/** Unit vector (east, north) a compass direction (degrees clockwise from north) points to. */
export function compass(deg: number): [number, number] {
  const r = (deg * Math.PI) / 180;
  return [Math.sin(r), Math.cos(r)];
}

/** Corners of a near-rectangular footprint (4 vertices, no hole, corners within 8° of square), or null. */
export function rectangle(fp: Footprint): number[] | null {
  if (fp.ringStarts.length !== 2 || fp.ringStarts[1] !== 4) return null;
  const c = fp.coords;
  for (let i = 0; i < 4; i++) {
    const p = (i + 3) % 4, n = (i + 1) % 4;
    const ax = c[2 * i] - c[2 * p], ay = c[2 * i + 1] - c[2 * p + 1];
    const bx = c[2 * n] - c[2 * i], by = c[2 * n + 1] - c[2 * i + 1];
    const cos = (ax * bx + ay * by) / (Math.hypot(ax, ay) * Math.hypot(bx, by));
    if (Math.abs(cos) > Math.sin((8 * Math.PI) / 180)) return null;
  }
  return [0, 1, 2, 3];
}

/**
 * gable-drawn-hipped: a footprint that is a rectangle but for a few vertices where a side bends by
 * under 10° (a survey's kink), each within 3 % of its side (at least 0.3 m) of the straight side: the
 * unit vector across the ridge (the way a gable's slopes face; the ridge along the long sides, or across
 * them with `across`), or null. Its straight skeleton has no clean triangular ends to turn into gables.
 */
export function nearRectangleSlope(fp: Footprint, across = false): [number, number] | null {
  if (fp.ringStarts.length !== 2) return null;
  const n = fp.ringStarts[1];
  if (n <= 4 || n > 16) return null;
  const c = fp.coords;
  const corners: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = (i + n - 1) % n, q = (i + 1) % n;
    const ax = c[2 * i] - c[2 * p], ay = c[2 * i + 1] - c[2 * p + 1], bx = c[2 * q] - c[2 * i], by = c[2 * q + 1] - c[2 * i + 1];
    if (Math.abs(Math.atan2(ax * by - ay * bx, ax * bx + ay * by)) >= (10 * Math.PI) / 180) corners.push(i);
  }
  if (corners.length !== 4) return null;
  const quad = Float64Array.from(corners.flatMap((i) => [c[2 * i], c[2 * i + 1]]));
  if (!rectangle({ coords: quad, ringStarts: Uint32Array.of(0, 4) })) return null;
  // every vertex between two corners near the straight side between them
  for (let k = 0; k < 4; k++) {
    const a = corners[k], b = corners[(k + 1) % 4];
    const ax = c[2 * a], ay = c[2 * a + 1], L = Math.hypot(c[2 * b] - ax, c[2 * b + 1] - ay);
    const ux = (c[2 * b] - ax) / L, uy = (c[2 * b + 1] - ay) / L;
    for (let i = (a + 1) % n; i !== b; i = (i + 1) % n)
      if (Math.abs((c[2 * i] - ax) * uy - (c[2 * i + 1] - ay) * ux) > Math.max(0.3, 0.03 * L)) return null;
  }
  const lens = [0, 1, 2, 3].map((k) => edgeLen(quad, k));
  // the ridge along sides 0 and 2 when they are the longer pair (and not across)
  const along0 = lens[0] + lens[2] >= lens[1] + lens[3] !== across;
  const e = along0 ? 0 : 1;
  const ex = quad[2 * (e + 1)] - quad[2 * e], ey = quad[2 * (e + 1) + 1] - quad[2 * e + 1];
  const L = Math.hypot(ex, ey);
  return [-ey / L, ex / L];
}

/** Length of footprint edge k→k+1 of a 4-vertex ring. */
const edgeLen = (c: Float64Array, k: number) => Math.hypot(c[2 * ((k + 1) % 4)] - c[2 * k], c[2 * ((k + 1) % 4) + 1] - c[2 * k + 1]);

/**
 * A gabled model on a near-rectangle with the ridge direction chosen by the tags: `roof:direction`
 * (slopes face it), else `roof:orientation` (`along`, the default: ridge along the longest side;
 * `across`). Nodes carry d = distance from the eaves.
 */
export function rectangleGable(input: RoofInput): { model: RoofModel; gables: Gable[]; run: number } | null {
  const fp = input.footprint;
  if (!rectangle(fp)) return null;
  const c = fp.coords;
  const lens = [0, 1, 2, 3].map((k) => edgeLen(c, k));
  // gable edges: pair 0 (edges 1, 3) or pair 1 (edges 0, 2)
  let gablePair: number;
  if (input.roof.direction !== null) {
    const [dx, dy] = compass(input.roof.direction);
    // slopes face the direction: the eaves are the edges most perpendicular to it
    const e0x = c[2] - c[0], e0y = c[3] - c[1];
    const along0 = Math.abs(e0x * dx + e0y * dy) / Math.hypot(e0x, e0y);
    gablePair = along0 < Math.SQRT1_2 ? 0 : 1;
  } else {
    const longerIs0 = lens[0] + lens[2] >= lens[1] + lens[3];
    const across = input.roof.orientation === 'across';
    gablePair = longerIs0 !== across ? 0 : 1;
  }
  const [g1, g2] = gablePair === 0 ? [1, 3] : [0, 2];
  const [e1, e2] = gablePair === 0 ? [0, 2] : [1, 3];
  const m = new RoofModel();
  for (let i = 0; i < 4; i++) m.node(c[2 * i], c[2 * i + 1], 0);
  const mid = (k: number) => m.node((c[2 * k] + c[2 * ((k + 1) % 4)]) / 2, (c[2 * k + 1] + c[2 * ((k + 1) % 4) + 1]) / 2, 0);
  const G1 = mid(g1);
  const G2 = mid(g2);
  const run = (lens[g1] + lens[g2]) / 4;
  m.d[G1] = m.d[G2] = run;
  // eave faces: edge e → its end → the gable top after it → the gable top before it
  const nxt = (k: number) => (k + 1) % 4;
  const topAfter = (e: number) => (nxt(e) === g1 ? G1 : G2);
  const topBefore = (e: number) => ((e + 3) % 4 === g1 ? G1 : G2);
  for (const e of [e1, e2]) m.faces.push([e, nxt(e), topAfter(e), topBefore(e)]);
  const ridge = Math.hypot(m.x[G2] - m.x[G1], m.y[G2] - m.y[G1]);
  const reach = Math.min(run, ridge / 2);
  const gable = (k: number, g: number, other: number): Gable => ({
    a: k,
    b: nxt(k),
    g,
    inward: [(m.x[other] - m.x[g]) / (ridge || 1), (m.y[other] - m.y[g]) / (ridge || 1)],
    reach,
  });
  return { model: m, gables: [gable(g1, G1, G2), gable(g2, G2, G1)], run };
}

/** Area-weighted centroid of a footprint's outer ring. */
export function centroid(fp: Footprint): [number, number] {
  const c = fp.coords;
  const n = fp.ringStarts[1];
  let a = 0, cx = 0, cy = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const f = c[2 * j] * c[2 * i + 1] - c[2 * i] * c[2 * j + 1];
    a += f;
    cx += (c[2 * j] + c[2 * i]) * f;
    cy += (c[2 * j + 1] + c[2 * i + 1]) * f;
  }
  return [cx / (3 * a), cy / (3 * a)];
}

/** Whether every outer edge sees point (x, y) on its inner side (the footprint is star-shaped from it); false with holes. */
export function seesAll(fp: Footprint, x: number, y: number): boolean {
  if (fp.ringStarts.length !== 2) return false;
  const c = fp.coords;
  const n = fp.ringStarts[1];
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    const cross = (c[2 * j] - c[2 * i]) * (y - c[2 * i + 1]) - (c[2 * j + 1] - c[2 * i + 1]) * (x - c[2 * i]);
    const len = Math.hypot(c[2 * j] - c[2 * i], c[2 * j + 1] - c[2 * i + 1]);
    if (cross <= 0.05 * len) return false;
  }
  return true;
}
