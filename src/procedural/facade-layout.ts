import type { Footprint } from './footprint.js';
import type { FacadeWalls } from './facade.js';

/*
 * Where a facade's windows and doors go on a footprint's walls: the bays along each wall, the party walls,
 * and the doors (OpenStreetMap entrances, else one front door). Shared by both renderings of a facade: the
 * texture (prism.ts) and the geometry (facade-geometry.ts).
 */

/** A wall shorter than this share of a bay gets no window: its u stays on the texture's wall column. */
export const WINDOWLESS = 0.6;
/** The u of a windowless wall (inside the texture's first column, which is wall). */
export const WALL_COLUMN_U = 0.02;

/**
 * Where a building's door goes: edge `edge` of its outer ring (vertex `edge` → `edge + 1`), between the shares
 * `t0` and `t1` of its length; the door texture's u at those sides (0 and 1: one window bay, the door in its middle).
 */
export interface Entrance {
  edge: number;
  t0: number;
  t1: number;
  u0: number;
  u1: number;
}

/** How far (m) an entrance may lie off its wall and still get a door there. */
const DOOR_REACH = 1;

/**
 * One ring's walls as laid out for a facade: per edge k (vertex k → k+1) its outward unit normal, length,
 * u where it starts (`uOut[k]`), whether it is shared with a neighbour (`party`) and whether it is windowless
 * (its wall shorter than {@link WINDOWLESS} of a bay, or a party wall); per vertex whether its corner is smooth and the u where the edge before it ends (`uIn`).
 * u counts window bays along each wall, a run of edges between sharp corners: a whole number per wall.
 */
export interface WallLayout {
  enx: Float64Array;
  eny: Float64Array;
  len: Float64Array;
  smooth: Uint8Array;
  uIn: Float64Array;
  uOut: Float64Array;
  windowless: Uint8Array;
  party: Uint8Array;
}

export function wallLayout(c: ArrayLike<number>, a: number, n: number, facade: FacadeWalls | null, cosSmooth: number): WallLayout {
  // outward unit normal of edge k (from vertex k to k+1)
  const enx = new Float64Array(n), eny = new Float64Array(n), len = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const i = a + k, j = a + ((k + 1) % n);
    const dx = c[2 * j] - c[2 * i], dy = c[2 * j + 1] - c[2 * i + 1];
    len[k] = Math.hypot(dx, dy);
    const l = len[k] || 1;
    enx[k] = dy / l;
    eny[k] = -dx / l;
  }
  // corners: sharp ones split the wall (own vertices each side), smooth ones share a smoothed normal
  const smooth = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const prev = (k + n - 1) % n;
    smooth[k] = enx[prev] * enx[k] + eny[prev] * eny[k] >= cosSmooth ? 1 : 0;
  }
  // with a facade, u along each wall (a run of edges between sharp corners); a ring smooth all round
  // (a round tower) is cut at its first vertex
  const uIn = new Float64Array(n), uOut = new Float64Array(n), windowless = new Uint8Array(n), party = new Uint8Array(n);
  if (facade) {
    // a shared (party) wall gets no windows: it is a wall of its own, cut from its neighbours
    if (facade.party)
      for (let k = 0; k < n; k++) {
        const i = a + k, j = a + ((k + 1) % n);
        party[k] = facade.party(c[2 * i], c[2 * i + 1], c[2 * j], c[2 * j + 1]) ? 1 : 0;
      }
    for (let k = 0; k < n; k++) if (party[k] !== party[(k + n - 1) % n]) smooth[k] = 0;
    if (smooth.every((s) => s)) smooth[0] = 0;
    for (let s = 0; s < n; s++) {
      if (smooth[s]) continue;
      let total = 0, e = s;
      do {
        total += len[e];
        e = (e + 1) % n;
      } while (smooth[e]);
      const bays = Math.round(total / facade.bay);
      const none = total < WINDOWLESS * facade.bay || party[s] === 1;
      const scale = none ? 0 : Math.max(1, bays) / total, offset = none ? WALL_COLUMN_U : 0;
      let along = 0;
      e = s;
      uOut[s] = offset;
      do {
        windowless[e] = none ? 1 : 0;
        along += len[e];
        e = (e + 1) % n;
        if (smooth[e]) uIn[e] = uOut[e] = offset + along * scale;
        else uIn[e] = offset + along * scale;
      } while (smooth[e]);
    }
  }
  return { enx, eny, len, smooth, uIn, uOut, windowless, party };
}

/**
 * The doors of a footprint's facade (`facade.entrance`), on its outer ring, at most one per edge, in edge
 * order; empty for none.
 * - At each entrance the facade knows (`facade.doors`: an OpenStreetMap `entrance=*` node on the outline):
 *   the window bay holding it, on the edge within {@link DOOR_REACH} of it (the bay beside it where that one
 *   crosses a corner); on an edge shorter than a bay (a recess, at least {@link DOOR_EDGE}), a door in its
 *   middle. An entrance on a party wall gets none.
 * - Else (no entrance placed) one front door: the middle bay of the longest wall that is one edge between
 *   sharp corners, holds at least one bay, is not shared with a neighbour, has no building within
 *   {@link DOOR_CLEARANCE} in front of its door (`facade.clearance`) and faces away from the middle of its block
 *   (`facade.away`: the street side of a terrace or a perimeter block); else of the longest such wall.
 *
 * Walls and floor both split those edges there, so the shell stays closed.
 *
 * @example
 * ```ts
 * entrancesOf(rect10x6, { look: 'residential', bay: 3, storey: 3, entrance: 'entrance' }, 20); // [{ edge: 0, t0: 1/3, t1: 2/3, u0: 0, u1: 1 }]
 * entrancesOf(rect10x6, { …, doors: [9, 0] }, 20); // [{ edge: 0, t0: 2/3, t1: 1, u0: 0, u1: 1 }]: the bay at x = 9 m
 * ```
 */
export function entrancesOf(fp: Footprint, facade: FacadeWalls | null, smoothAngle: number, outer?: WallLayout): Entrance[] {
  if (!facade?.entrance) return [];
  const c = fp.coords;
  const n = fp.ringStarts[1];
  if (n < 3) return [];
  // (the outer ring's layout, where the caller has worked it out already)
  const L = outer ?? wallLayout(c, 0, n, facade, Math.cos((smoothAngle * Math.PI) / 180));
  const doors = facade.doors;
  if (doors?.length) {
    const out: Entrance[] = [];
    for (let d = 0; d + 1 < doors.length; d += 2) {
      const e = doorAt(c, n, L, facade.bay, doors[d], doors[d + 1]);
      if (e && !out.some((o) => o.edge === e.edge)) out.push(e);
    }
    if (out.length) return out.sort((p, q) => p.edge - q.edge).map((e) => clearOfCorners(e, L.len[e.edge]));
  }
  // the longest free wall facing away from the middle of its block (the street side of a terrace or a perimeter
  // block), else the longest free wall
  let best = -1, bestLength = 0, bestFacing = false;
  for (let k = 0; k < n; k++) {
    const len = L.len[k];
    // sharp corners at both ends: the edge is a wall of its own
    if (L.smooth[k] || L.smooth[(k + 1) % n] || L.windowless[k]) continue;
    if (Math.round(len / facade.bay) < 1) continue;
    // the middle of the door's bay (the middle one of the wall's bays)
    const bays = Math.max(1, Math.round(len / facade.bay));
    const [dx, dy] = edgePoint(c, 0, n, k, (Math.floor(bays / 2) + 0.5) / bays);
    // not onto a gap a step wide: the next building stands within DOOR_CLEARANCE of the door's bay
    if (facade.clearance && facade.clearance(dx, dy, L.enx[k], L.eny[k], DOOR_CLEARANCE) < DOOR_CLEARANCE) continue;
    // (doors-under-the-hill: not where the terrain stands over the door's foot; the wall downhill instead)
    if (facade.buried && !aboveGround('door', 0, facade.buried(dx, dy))) continue;
    const facing = facesAway(c, n, L, k, facade.away);
    if ((facing && !bestFacing) || (facing === bestFacing && len > bestLength + 1e-9)) [best, bestLength, bestFacing] = [k, len, facing];
  }
  if (best < 0) return [];
  const bays = Math.max(1, Math.round(bestLength / facade.bay));
  const m = Math.floor(bays / 2);
  return [clearOfCorners({ edge: best, t0: m / bays, t1: (m + 1) / bays, u0: 0, u1: 1 }, bestLength)];
}

/**
 * The point a share `t` (0 … 1) along edge `k` of the ring of `n` vertices starting at vertex `a` of `c`
 * (x, y pairs): where a door's middle or an opening's side stands, to ask the terrain or the neighbours there.
 */
export function edgePoint(c: ArrayLike<number>, a: number, n: number, k: number, t: number): [number, number] {
  const i = 2 * (a + k), j = 2 * (a + ((k + 1) % n));
  return [c[i] + t * (c[j] - c[i]), c[i + 1] + t * (c[j + 1] - c[i + 1])];
}

/**
 * Whether an opening whose foot is at `z` stands clear of the terrain at `ground` (both above the
 * building's foot): a window's sill {@link WINDOW_CLEAR} above it; a door's foot at most {@link DOOR_IN_GROUND}
 * in it (a step down to the door is drawn as the ground meeting it).
 */
export function aboveGround(leaf: 'glass' | 'door', z: number, ground: number): boolean {
  return leaf === 'door' ? ground <= z + DOOR_IN_GROUND : z >= ground + WINDOW_CLEAR;
}

/** Least height (m) of a window's sill above the terrain in front of it. */
export const WINDOW_CLEAR = 0.1;
/** Deepest (m) a door's foot may stand in the terrain in front of it: deeper, it is left out. */
export const DOOR_IN_GROUND = 0.3;

/** Room (m) a front door needs in front of it: a wall with another building closer than this is a gap, not a street. */
const DOOR_CLEARANCE = 1.5;

/** How squarely (cosine) a wall must face away from its block's middle to count as the street side: within 60°. */
const FACING = 0.5;

/** Whether edge k's outward normal points away from the block's middle `away` (within 60°) as seen from the wall's middle. */
function facesAway(c: ArrayLike<number>, n: number, L: WallLayout, k: number, away: readonly [number, number] | undefined): boolean {
  if (!away) return false;
  const j = (k + 1) % n;
  const dx = (c[2 * k] + c[2 * j]) / 2 - away[0], dy = (c[2 * k + 1] + c[2 * j + 1]) / 2 - away[1];
  const d = Math.hypot(dx, dy);
  return d > 1e-9 && (L.enx[k] * dx + L.eny[k] * dy) / d >= FACING;
}

/** Wall (m) a door leaves at the corners of its edge: no sliver of wall, no triangle without area. */
const DOOR_CORNER = 0.1;

/** A door moved in from its edge's corners by {@link DOOR_CORNER} where it reaches them, its texture cut to match. */
function clearOfCorners(e: Entrance, len: number): Entrance {
  const m = Math.min(DOOR_CORNER / len, 0.25 * (e.t1 - e.t0));
  const t0 = Math.max(e.t0, m), t1 = Math.min(e.t1, 1 - m);
  const u = (t: number) => e.u0 + ((t - e.t0) / (e.t1 - e.t0)) * (e.u1 - e.u0);
  return { edge: e.edge, t0, t1, u0: u(t0), u1: u(t1) };
}

/** The narrowest edge (m) that takes a door of its own where no window bay fits on it (an entrance recess). */
const DOOR_EDGE = 1.4;

/**
 * The door of an entrance at (x, y) (see {@link entrancesOf}), or null: on the edges within {@link DOOR_REACH}
 * of it, nearest first (both edges of a corner it stands on), the window bay holding it, else the one beside
 * it that lies on the edge; else, on the nearest edge if it is at least {@link DOOR_EDGE} long and not a
 * party wall, a door in its middle, a bay wide at most, leaving 0.2 m of wall each side.
 */
function doorAt(c: ArrayLike<number>, n: number, L: WallLayout, bay: number, x: number, y: number): Entrance | null {
  const near: { k: number; d: number; t: number }[] = [];
  for (let k = 0; k < n; k++) {
    const j = (k + 1) % n;
    const x0 = c[2 * k], y0 = c[2 * k + 1], ex = c[2 * j] - x0, ey = c[2 * j + 1] - y0;
    const l2 = ex * ex + ey * ey;
    if (l2 === 0) continue;
    const t = Math.max(0, Math.min(1, ((x - x0) * ex + (y - y0) * ey) / l2));
    const d = Math.hypot(x0 + t * ex - x, y0 + t * ey - y);
    if (d <= DOOR_REACH) near.push({ k, d, t });
  }
  // nearest first; at a corner (the same distance) the longer edge first, then by index
  near.sort((p, q) => (Math.abs(p.d - q.d) > 1e-6 ? p.d - q.d : L.len[q.k] - L.len[p.k] || p.k - q.k));
  const first = near[0]?.d ?? 0;
  for (const { k: edge, d, t } of near) {
    if (d > first + 1e-6) break;
    if (L.windowless[edge]) continue;
    const u0 = L.uOut[edge], u1 = L.uIn[(edge + 1) % n];
    if (!(u1 - u0 >= 1 - 1e-9)) continue;
    const u = u0 + t * (u1 - u0);
    // the bay holding it; where that bay crosses a corner of the wall, the one beside it on this edge
    const m = Math.floor(u);
    for (const b of [m, m - 1, m + 1, m + 2]) {
      const t0 = (b - u0) / (u1 - u0), t1 = (b + 1 - u0) / (u1 - u0);
      if (t0 >= -1e-9 && t1 <= 1 + 1e-9) return { edge, t0: Math.max(0, t0), t1: Math.min(1, t1), u0: 0, u1: 1 };
    }
  }
  const e = near[0];
  if (!e || L.party[e.k] || L.len[e.k] < DOOR_EDGE) return null;
  // a short edge (a recess): a door in its middle, the texture at its own scale (the door in the middle of a bay)
  const len = L.len[e.k], w = Math.min(len - 0.4, bay);
  return { edge: e.k, t0: (len - w) / 2 / len, t1: (len + w) / 2 / len, u0: 0.5 - w / (2 * bay), u1: 0.5 + w / (2 * bay) };
}

