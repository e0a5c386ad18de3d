import type { Footprint } from './footprint.js';
import { extentOf } from '../core/extent.js';
import type { StraightSkeleton } from './skeleton.js';

/**
 * Scratch columns reused from call to call (grown, never shrunk): allocating a typed array costs about a
 * microsecond and a half, and the 17 a call needs took more than a small footprint's whole skeleton.
 * f64: edge start x, y, direction x, y, then vertex x, y, t, velocity x, y, split time, x, y; i32: edge
 * next, previous, then vertex left edge, right edge, previous, next, node, split stretch, stamp, split's
 * stamp; u8: vertex alive, collapsed, split known.
 */
let f64: Float64Array[] = [];
let i32: Int32Array[] = [];
let u8: Uint8Array[] = [];
let scratchCap = 0;

/** Make every scratch column hold at least `cap` entries, keeping what they hold. */
function ensureScratch(cap: number): void {
  if (cap <= scratchCap) return;
  const size = Math.max(cap, 2 * scratchCap, 64);
  f64 = Array.from({ length: 12 }, (_, j) => {
    const a = new Float64Array(size);
    if (f64[j]) a.set(f64[j]);
    return a;
  });
  i32 = Array.from({ length: 10 }, (_, j) => {
    const a = new Int32Array(size);
    if (i32[j]) a.set(i32[j]);
    return a;
  });
  u8 = Array.from({ length: 3 }, (_, j) => {
    const a = new Uint8Array(size);
    if (u8[j]) a.set(u8[j]);
    return a;
  });
  scratchCap = size;
}

/**
 * cityforge's own straight skeleton: an event-driven wavefront simulation (Aichholzer et al.; Felkel and
 * Obdržálek's edge and split events) over flat arrays, in a frame centred on the footprint.
 *
 * Every footprint edge moves inward at unit speed; each wavefront vertex moves along the bisector of its
 * two edges (`n_a · v = n_b · v = 1`). Events, earliest first, found by brute force after every event
 * (footprints have tens of vertices: O(n³) is microseconds, and no queue can go stale):
 * - **edge event**: an edge of the wavefront shrinks to nothing; its two vertices merge.
 * - **split event**: a reflex vertex reaches the offset of another edge; the wavefront is split there (or,
 *   when the edge belongs to another loop — a hole — two loops become one: the same pointer surgery).
 *
 * The degenerate cases real footprints produce, each handled by construction, not by perturbation:
 * - collinear neighbours (a vertex in the middle of a straight wall): the vertex moves along the normal
 *   and traces the perpendicular arc that divides the two faces;
 * - opposite parallel walls meeting (every rectangle, every corridor): the vertex created between two
 *   antiparallel edges stands where their offset lines coincide, and zips along the collapsed stretch to
 *   the nearer neighbour at the same instant (a level ridge);
 * - simultaneous events (squares, symmetric plans): nodes within a tolerance of the footprint's size are
 *   one node, and zero-length arcs are dropped;
 * - a loop down to three vertices closes at one node, down to two at one ridge.
 *
 * Returns null when the simulation does not close (more events than the footprint can have, or a face
 * that does not chain from its edge's end back to its start): the caller checks and falls back.
 *
 * @param trace - called with one line per event (time, kind, vertices, edges, where): for debugging a footprint
 * @example
 * ```ts
 * const sk = wavefrontSkeleton({ coords: Float64Array.of(0, 0, 10, 0, 10, 6, 0, 6), ringStarts: Uint32Array.of(0, 4) });
 * sk!.maxDistance; // 3: the ridge of a 10 × 6 hipped roof
 * ```
 */
export function wavefrontSkeleton(fp: Footprint, trace?: (line: string) => void): StraightSkeleton | null {
  const c0 = fp.coords;
  const n = c0.length / 2;
  if (n < 3) return null;
  const { minX, minY, maxX, maxY } = extentOf(c0);
  const cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
  const size = Math.hypot(maxX - minX, maxY - minY);
  if (!(size > 0)) return null;
  const eps = 1e-9 * size;
  // events this close in time are simultaneous (a vertex between nearly parallel walls moves fast: its
  // events come a few eps apart, in an order that matters)
  const tie = 1e-13 * size;

  // the footprint's edges (k: from vertex k to the next of its ring): start point (local), unit direction
  ensureScratch(4 * n + 16);
  const px = f64[0], py = f64[1], ux = f64[2], uy = f64[3];
  const nextOf = i32[0], prevOf = i32[1];
  for (let r = 0; r + 1 < fp.ringStarts.length; r++) {
    const s = fp.ringStarts[r], e = fp.ringStarts[r + 1];
    if (e - s < 3) return null;
    for (let i = s; i < e; i++) {
      nextOf[i] = i + 1 < e ? i + 1 : s;
      prevOf[i] = i > s ? i - 1 : e - 1;
    }
  }
  for (let k = 0; k < n; k++) {
    px[k] = c0[2 * k] - cx;
    py[k] = c0[2 * k + 1] - cy;
  }
  for (let k = 0; k < n; k++) {
    const j = nextOf[k];
    const dx = px[j] - px[k], dy = py[j] - py[k];
    const l = Math.hypot(dx, dy);
    if (!(l > eps)) return null;
    ux[k] = dx / l;
    uy[k] = dy / l;
  }

  // skeleton nodes (local coordinates until the end): the footprint's vertices first
  const nx: number[] = [], ny: number[] = [], nd: number[] = [];
  for (let k = 0; k < n; k++) {
    nx.push(px[k]);
    ny.push(py[k]);
    nd.push(0);
  }
  /** A node at (x, y) at time t: an existing one that close (simultaneous events), else a new one. */
  const nodeAt = (x: number, y: number, t: number): number => {
    for (let i = n; i < nx.length; i++) if (Math.abs(nx[i] - x) <= 1e3 * eps && Math.abs(ny[i] - y) <= 1e3 * eps && Math.abs(nd[i] - t) <= 1e3 * eps) return i;
    nx.push(x);
    ny.push(y);
    nd.push(t);
    return nx.length - 1;
  };

  // wavefront vertices (growable columns): position at time t0, velocity, left (incoming) and right
  // (outgoing) edges, loop neighbours, the node it started from, alive
  let cap = scratchCap;
  let vx0 = f64[4], vy0 = f64[5], vt0 = f64[6], vvx = f64[7], vvy = f64[8], cT = f64[9], cX = f64[10], cY = f64[11];
  let eL = i32[2], eR = i32[3], prev = i32[4], next = i32[5], node = i32[6], cS = i32[7], stamp = i32[8], cStamp = i32[9];
  let alive = u8[0], collapsed = u8[1], cValid = u8[2];
  let count = 0;
  const grow = () => {
    ensureScratch(cap + 1);
    cap = scratchCap;
    [vx0, vy0, vt0, vvx, vvy, cT, cX, cY] = [f64[4], f64[5], f64[6], f64[7], f64[8], f64[9], f64[10], f64[11]];
    [eL, eR, prev, next, node, cS, stamp, cStamp] = [i32[2], i32[3], i32[4], i32[5], i32[6], i32[7], i32[8], i32[9]];
    [alive, collapsed, cValid] = [u8[0], u8[1], u8[2]];
  };
  /** A wavefront vertex between edges a (incoming) and b (outgoing) at (x, y) at time t; -1: a spike. */
  const vertex = (x: number, y: number, t: number, a: number, b: number, from: number): number => {
    if (count === cap) grow();
    const v = count++;
    vx0[v] = x;
    vy0[v] = y;
    vt0[v] = t;
    eL[v] = a;
    eR[v] = b;
    node[v] = from;
    alive[v] = 1;
    collapsed[v] = 0;
    cValid[v] = 0;
    stamp[v] = 0;
    // inward normals (left of each edge's direction)
    const nax = -uy[a], nay = ux[a], nbx = -uy[b], nby = ux[b];
    const det = nax * nby - nay * nbx;
    const dot = nax * nbx + nay * nby;
    // (nearly antiparallel: a spike sharper than 0.001°, whose vertex would run off at 1e5 times the speed, zips too)
    if (Math.abs(det) < 1e-9 || (dot < 0 && Math.abs(det) < 2e-5)) {
      if (dot > 0) {
        // collinear edges: straight along the normal
        vvx[v] = nax;
        vvy[v] = nay;
      } else {
        // antiparallel: their offset lines coincide here; it zips to a neighbour at once
        vvx[v] = vvy[v] = 0;
        collapsed[v] = 1;
      }
    } else {
      vvx[v] = (nby - nay) / det;
      vvy[v] = (nax - nbx) / det;
    }
    return v;
  };
  for (let k = 0; k < n; k++) {
    const v = vertex(px[k], py[k], 0, prevOf[k], k, k);
    if (collapsed[v]) return null; // a spike in the footprint
  }
  // stretches of wavefront (vertex s to next[s]) new or changed since the split events were last looked for
  const fresh: number[] = [];
  /** Link a to b (a's stretch changes: its stamp moves on). */
  const link = (a: number, b: number) => {
    next[a] = b;
    prev[b] = a;
    stamp[a]++;
    fresh.push(a);
  };
  for (let k = 0; k < n; k++) link(k, nextOf[k]);

  // arcs: node pairs, and the two faces (edges) each bounds
  const arcA: number[] = [], arcB: number[] = [], arcF: number[] = [], arcG: number[] = [];
  const arc = (a: number, b: number, f: number, g: number) => {
    if (a === b) return;
    arcA.push(a);
    arcB.push(b);
    arcF.push(f);
    arcG.push(g);
  };
  /** End vertex v's trace at node m. */
  const finish = (v: number, m: number) => {
    arc(node[v], m, eL[v], eR[v]);
    alive[v] = 0;
  };
  const X = (v: number, t: number) => vx0[v] + vvx[v] * (t - vt0[v]);
  const Y = (v: number, t: number) => vy0[v] + vvy[v] * (t - vt0[v]);

  /** After an event: close a loop of v that is down to one or two vertices (a ridge). */
  let now = 0;
  const settle = (v: number) => {
    if (!alive[v]) return;
    const a = next[v];
    if (a === v) {
      alive[v] = 0;
      return;
    }
    if (next[a] === v) {
      // two vertices: one ridge between their nodes
      arc(node[v], node[a], eL[v], eR[v]);
      if (eL[a] !== eR[v] || eR[a] !== eL[v]) arc(node[v], node[a], eL[a], eR[a]);
      alive[v] = alive[a] = 0;
      return;
    }
  };

  let hx = 0, hy = 0;
  /** When reflex vertex v splits the stretch from s (Infinity: it does not); where in hx, hy. */
  const splitTime = (v: number, s: number): number => {
    if (!alive[s] || s === v || next[s] === v || collapsed[s]) return Infinity;
    const t2 = next[s];
    if (collapsed[t2]) return Infinity;
    const e = eR[s];
    if (e === eL[v] || e === eR[v]) return Infinity;
    const nex = -uy[e], ney = ux[e];
    // how far v is ahead of the edge's offset line, and how fast it closes in
    const ahead = nex * (X(v, now) - px[e]) + ney * (Y(v, now) - py[e]) - now;
    const close = 1 - (nex * vvx[v] + ney * vvy[v]);
    if (ahead < -eps || close <= 1e-12) return Infinity;
    // a vertex born this instant on that line is not a new split (it came from the event there)
    if (ahead <= eps && vt0[v] >= now - tie) return Infinity;
    const t = now + Math.max(0, ahead) / close;
    hx = X(v, t);
    hy = Y(v, t);
    // within the edge's stretch of wavefront at that time
    const along = (hx - X(s, t)) * ux[e] + (hy - Y(s, t)) * uy[e];
    const to = (X(t2, t) - hx) * ux[e] + (Y(t2, t) - hy) * uy[e];
    return along < -1e3 * eps || to < -1e3 * eps ? Infinity : t;
  };
  const consider = (v: number, s: number) => {
    const t = splitTime(v, s);
    if (t < cT[v] - tie) {
      cT[v] = t;
      cS[v] = s;
      cStamp[v] = stamp[s];
      cX[v] = hx;
      cY[v] = hy;
    }
  };
  const maxEvents = 8 * n + 32;
  for (let events = 0; ; events++) {
    if (events > maxEvents) return null;
    // the earliest event: kind 0 edge (ea and next[ea] merge at (bx, by)), 1 split (vertex ea onto the
    // edge from eb to next[eb]); at the same time (within eps) edge events go first, then the first found
    // (bestT orders events; eventT is when the chosen one happens: an edge of no length goes first, at its own time)
    let bestT = Infinity, eventT = Infinity, kind = -1, ea = -1, eb = -1, bx = 0, by = 0;
    const better = (t: number, k: number) => t < bestT - tie || (t <= bestT + tie && k < kind);
    let any = false;
    for (let a = 0; a < count; a++) {
      if (!alive[a]) continue;
      any = true;
      const b = next[a];
      if (collapsed[a]) {
        // between antiparallel edges: zip to the nearer neighbour, now
        const p = prev[a];
        const dn = Math.hypot(X(b, now) - X(a, now), Y(b, now) - Y(a, now));
        const dp = Math.hypot(X(p, now) - X(a, now), Y(p, now) - Y(a, now));
        if (better(now, 0)) {
          [bestT, eventT, kind] = [now, now, 0];
          const to = dn <= dp ? b : p;
          ea = dn <= dp ? a : p;
          bx = X(to, now);
          by = Y(to, now);
        }
        continue;
      }
      if (collapsed[b]) continue;
      // edge event on the edge from a to b (edge eR[a])
      const e = eR[a];
      const len = (X(b, now) - X(a, now)) * ux[e] + (Y(b, now) - Y(a, now)) * uy[e];
      const rate = (vvx[b] - vvx[a]) * ux[e] + (vvy[b] - vvy[a]) * uy[e];
      let t = Infinity;
      // (an edge already of no length merges now, whatever its ends do next: two reflex vertices meeting
      // at one point — a vertex event — arrive as a split onto the end of an edge)
      if (rate < -1e-12) t = now + Math.max(0, len) / -rate;
      else if (len <= 1e3 * eps) t = now;
      const key = len <= 1e3 * eps ? now : t;
      if (t < Infinity && better(key, 0)) {
        [bestT, eventT, kind] = [key, t, 0];
        ea = a;
        bx = (X(a, t) + X(b, t)) / 2;
        by = (Y(a, t) + Y(b, t)) / 2;
      }
    }
    if (!any) break;
    // split events: reflex vertices against the offsets of other edges. Each vertex keeps its earliest
    // split (time, stretch, the stretch's stamp); after an event only the stretches that changed are looked
    // at again, and a vertex whose kept stretch changed looks at them all (O(n²) over the run, not O(n³))
    for (let v = 0; v < count; v++) {
      if (!alive[v] || collapsed[v]) continue;
      if (ux[eL[v]] * uy[eR[v]] - uy[eL[v]] * ux[eR[v]] >= -1e-12) continue; // not reflex
      const kept = cS[v];
      if (!cValid[v] || (kept >= 0 && (!alive[kept] || stamp[kept] !== cStamp[v]))) {
        cValid[v] = 1;
        cT[v] = Infinity;
        cS[v] = -1;
        for (let s = 0; s < count; s++) consider(v, s);
      } else for (const s of fresh) consider(v, s);
      if (cS[v] >= 0 && better(cT[v], 1)) {
        [bestT, eventT, kind] = [cT[v], cT[v], 1];
        ea = v;
        eb = cS[v];
        bx = cX[v];
        by = cY[v];
      }
    }
    fresh.length = 0;
    if (kind < 0) {
      // no event left with the wavefront not gone: name what is left (the trace is for debugging)
      for (let v = 0; v < count && trace; v++) if (alive[v]) trace(`left v${v} e(${eL[v]},${eR[v]}) prev ${prev[v]} next ${next[v]} at ${(X(v, now) + cx).toFixed(4)},${(Y(v, now) + cy).toFixed(4)} velocity ${vvx[v].toFixed(3)},${vvy[v].toFixed(3)}`);
      return null;
    }
    if (eventT > 10 * size) return null;
    now = Math.max(now, eventT);
    trace?.(`t=${now.toFixed(6)} ${kind ? 'split' : 'edge'} v${ea}(${eL[ea]},${eR[ea]}) ${kind ? `onto v${eb}→v${next[eb]} edge ${eR[eb]}` : `+ v${next[ea]}(${eL[next[ea]]},${eR[next[ea]]})`} at ${(bx + cx).toFixed(4)},${(by + cy).toFixed(4)}`);
    if (kind === 0) {
      const a = ea, b = next[a];
      const p = prev[a], q = next[b];
      if (p === b) {
        // two vertices left: the ridge
        settle(a);
        continue;
      }
      const m = nodeAt(bx, by, now);
      if (q === p) {
        // a triangle closes at one node
        finish(a, m);
        finish(b, m);
        finish(p, m);
        continue;
      }
      finish(a, m);
      finish(b, m);
      const v = vertex(bx, by, now, eL[a], eR[b], m);
      link(p, v);
      link(v, q);
      settle(v);
    } else {
      const v = ea, s = eb, t2 = next[s];
      const m = nodeAt(bx, by, now);
      finish(v, m);
      const p = prev[v], q = next[v];
      const v1 = vertex(bx, by, now, eL[v], eR[s], m);
      const v2 = vertex(bx, by, now, eR[s], eR[v], m);
      // v1: from v's predecessor onto the far part of the edge; v2: from the near part on to v's successor
      link(p, v1);
      link(v1, t2);
      link(s, v2);
      link(v2, q);
      settle(v1);
      settle(v2);
    }
  }

  // faces: chain each edge's arcs from its end back to its start
  const byFace: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < arcA.length; i++) {
    if (arcA[i] === arcB[i]) continue;
    byFace[arcF[i]].push(i);
    if (arcG[i] !== arcF[i]) byFace[arcG[i]].push(i);
  }
  const faces: number[][] = new Array(n);
  let maxDistance = 0;
  for (let e = 0; e < n; e++) {
    const start = e, end = nextOf[e];
    const face = [start, end];
    const used: boolean[] = [];
    let at = end;
    for (let guard = 0; at !== start; guard++) {
      if (guard > byFace[e].length) return null;
      let step = -1;
      for (let k = 0; k < byFace[e].length; k++) {
        if (used[k]) continue;
        const i = byFace[e][k];
        if (arcA[i] === at || arcB[i] === at) {
          step = k;
          break;
        }
      }
      if (step < 0) return null;
      used[step] = true;
      const i = byFace[e][step];
      at = arcA[i] === at ? arcB[i] : arcA[i];
      if (at !== start) face.push(at);
    }
    faces[e] = face;
  }
  const x = new Array<number>(nx.length), y = new Array<number>(nx.length);
  for (let i = 0; i < nx.length; i++) {
    x[i] = i < n ? c0[2 * i] : nx[i] + cx;
    y[i] = i < n ? c0[2 * i + 1] : ny[i] + cy;
    if (nd[i] > maxDistance) maxDistance = nd[i];
  }
  return { x, y, d: nd, faces, maxDistance };
}
