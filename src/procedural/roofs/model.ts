import earcut from 'earcut';
import type { StraightSkeleton } from '../skeleton.js';

/**
 * A roof as faces over nodes: nodes 0..n-1 are the footprint's vertices; a face is a polygon of node
 * ids, counter-clockwise seen from above. Each node has a parameter `d` (distance from the eaves for
 * skeleton roofs; a profile parameter for others) and, once {@link RoofModel.setHeights} ran, a
 * height `z`. The faces' unshared edges form the roof's outline: the footprint's rings, possibly with
 * extra nodes on them (gable tops), where the walls end.
 */
export class RoofModel {
  x: number[] = [];
  y: number[] = [];
  d: number[] = [];
  z: number[] = [];
  faces: number[][] = [];
  /** Shade faces smoothly (per-node normals) instead of flat. */
  smooth = false;

  /** Face `f` as triangles of its own nodes, wound as it is. */
  triangles(f: number[]): number[][] {
    const xy = new Float64Array(2 * f.length);
    f.forEach((v, i) => ((xy[2 * i] = this.x[v]), (xy[2 * i + 1] = this.y[v])));
    const t = earcut(xy);
    const ccw = polygonArea(this, f) > 0;
    const out: number[][] = [];
    for (let k = 0; k < t.length; k += 3) {
      const tri = [f[t[k]], f[t[k + 1]], f[t[k + 2]]];
      if (polygonArea(this, tri) > 0 !== ccw) tri.reverse();
      out.push(tri);
    }
    return out;
  }

  /** Add a node; returns its id. */
  node(x: number, y: number, d: number): number {
    this.x.push(x);
    this.y.push(y);
    this.d.push(d);
    return this.x.length - 1;
  }

  /** Largest `d`. */
  get maxD(): number {
    let m = 0;
    for (const v of this.d) if (v > m) m = v;
    return m;
  }

  /** z = base + profile(d / maxD) × height for every node. */
  setHeights(base: number, height: number, profile: (t: number) => number = (t) => t): void {
    const D = this.maxD || 1;
    this.z = this.d.map((d) => base + profile(Math.min(1, d / D)) * height);
  }

  /** A model copied from a straight skeleton. */
  static fromSkeleton(sk: StraightSkeleton): RoofModel {
    const m = new RoofModel();
    m.x = sk.x.slice();
    m.y = sk.y.slice();
    m.d = sk.d.slice();
    m.faces = sk.faces.map((f) => f.slice());
    return m;
  }

  /** Replace node `from` by node `to` in every face (dropping repeats). */
  replaceNode(from: number, to: number): void {
    this.faces = this.faces.map((f) => {
      const g = f.map((v) => (v === from ? to : v));
      return g.filter((v, i) => v !== g[(i + 1) % g.length]);
    });
  }

  /** Replace the directed edge a→b (as it appears in a face) by the path a→…→b. */
  splitEdge(a: number, b: number, path: number[]): boolean {
    for (const f of this.faces) {
      for (let i = 0; i < f.length; i++) {
        if (f[i] === a && f[(i + 1) % f.length] === b) {
          f.splice(i + 1, 0, ...path);
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Cut every face along the level lines `field = level` (field linear over each face: skeleton
   * distance, or a projection on a direction), so a piecewise-linear profile stays planar per piece.
   * Cut nodes are shared between the faces meeting at an edge.
   */
  cut(field: number[], levels: number[]): void {
    // cut nodes by edge, per level: p·K + q, K the node count when the level starts (the faces cut at a
    // level hold only older nodes; small integer keys hash fast)
    const cache = new Map<number, number>();
    let K = 0;
    const cutNode = (a: number, b: number, level: number): number => {
      const p = a < b ? a : b, q = a < b ? b : a;
      const k = p * K + q;
      let id = cache.get(k);
      if (id === undefined) {
        const t = (level - field[p]) / (field[q] - field[p]);
        id = this.node(this.x[p] + t * (this.x[q] - this.x[p]), this.y[p] + t * (this.y[q] - this.y[p]), this.d[p] + t * (this.d[q] - this.d[p]));
        field.push(level);
        cache.set(k, id);
      }
      return id;
    };
    for (const level of levels) {
      cache.clear();
      K = this.x.length;
      // nodes within a hair of the level lie on it (no sliver pieces, no near-duplicate cut nodes)
      for (let v = 0; v < field.length; v++) if (Math.abs(field[v] - level) < 1e-7) field[v] = level;
      const next: number[][] = [];
      // a level that crosses a face more than once (a non-convex face: the walk below would join its
      // pieces into one self-touching polygon) cuts the face's triangles instead
      const pieces = (f: number[]) => (crossings(field, f, level) > 2 ? this.triangles(f) : [f]);
      for (const f of this.faces.flatMap(pieces)) {
        const below: number[] = [];
        const above: number[] = [];
        for (let i = 0; i < f.length; i++) {
          const a = f[i];
          const b = f[(i + 1) % f.length];
          const fa = field[a] - level;
          const fb = field[b] - level;
          if (fa <= 0) below.push(a);
          if (fa >= 0) above.push(a);
          if ((fa < 0 && fb > 0) || (fa > 0 && fb < 0)) {
            const c = cutNode(a, b, level);
            below.push(c);
            above.push(c);
          }
        }
        // a face the level does not cross stays whole; one it crosses becomes its two pieces, however
        // thin (a node millimetres from the level in a fan of pixel-stepped outline triangles): dropping
        // a sliver left its edges unpaired, the outline open and the shape fell back in `build`
        if (!(f.some((v) => field[v] < level) && f.some((v) => field[v] > level))) next.push(f);
        else for (const part of [below, above]) if (part.length >= 3) next.push(part);
      }
      this.faces = next;
    }
  }

  /**
   * The outline: unshared directed face edges chained into rings, starting at `starts` (the
   * footprint's ring start vertices). Null when the faces do not close into rings.
   */
  outline(starts: number[]): number[][] | null {
    // directed edges a·K + b, K the node count (small integer keys hash fast)
    const K = this.x.length;
    const edges = new Set<number>();
    for (const f of this.faces) for (let i = 0; i < f.length; i++) edges.add(f[i] * K + f[(i + 1) % f.length]);
    const next = new Map<number, number>();
    for (const f of this.faces)
      for (let i = 0; i < f.length; i++) {
        const a = f[i];
        const b = f[(i + 1) % f.length];
        if (!edges.has(b * K + a)) {
          if (next.has(a)) return null;
          next.set(a, b);
        }
      }
    const rings: number[][] = [];
    let used = 0;
    for (const s of starts) {
      const ring = [s];
      for (let v = next.get(s); v !== s; v = next.get(v)) {
        if (v === undefined || ring.length > next.size) return null;
        ring.push(v);
      }
      used += ring.length;
      rings.push(ring);
    }
    return used === next.size ? rings : null;
  }
}

/** Signed area (from above) of a face. */
export function polygonArea(m: RoofModel, f: number[]): number {
  let s = 0;
  for (let i = 0, j = f.length - 1; i < f.length; j = i++) s += (m.x[f[j]] - m.x[f[i]]) * (m.y[f[j]] + m.y[f[i]]);
  return s / 2;
}

/** How many times the sign of `field − level` changes round face `f` (nodes on the level skipped). */
function crossings(field: number[], f: number[], level: number): number {
  let first = 0, last = 0, n = 0;
  for (const v of f) {
    const s = Math.sign(field[v] - level);
    if (s === 0) continue;
    if (first === 0) first = s;
    else if (s !== last) n++;
    last = s;
  }
  return n + (first !== 0 && last !== first ? 1 : 0);
}

/** A gable: footprint edge a→b whose end face became vertical, with its top node g on the edge. */
export interface Gable {
  a: number;
  b: number;
  g: number;
  /** Unit vector from g into the footprint, along the ridge. */
  inward: [number, number];
  /** How far a hip may reach inward from g. */
  reach: number;
}

/**
 * Turn the triangular end faces of a skeleton model into vertical gables: an end face is a footprint
 * edge and one skeleton node shared with just the two side faces, either at the highest level or at the
 * end of a wing whose sides are parallel (within 3°: the node lies on the wing's mid-line, half its
 * width in from each side). The node moves onto the edge (along the mid-line where the sides are
 * parallel, so the side faces stay planar; else at the foot of the perpendicular), keeping its height.
 * Returns the gables made (none when the footprint has no such end).
 */
export function gableEnds(m: RoofModel, n: number, pick: (faces: number[]) => number[] = (f) => f): Gable[] {
  const D = m.maxD;
  const candidates: number[] = [];
  const uses = new Map<number, number>();
  for (const f of m.faces) for (const v of f) uses.set(v, (uses.get(v) ?? 0) + 1);
  // the footprint's rings: the vertex before each (an edge face is [its start, its end, …])
  const prev = new Map<number, number>();
  for (let e = 0; e < n && e < m.faces.length; e++) if (m.faces[e].length >= 2) prev.set(m.faces[e][1], m.faces[e][0]);
  const next = (v: number) => (m.faces[v]?.length >= 2 ? m.faces[v][1] : -1);
  // gable-drawn-hipped: a wing narrower than the widest part (an L's second wing, a trapezoid's narrow end)
  // has its end at its own half-width: the d ≥ max test alone left 88 % of SF's other footprints hipped
  const wingAxis = (a: number, b: number): [number, number] | null => {
    const p = prev.get(a), q = next(b);
    if (p === undefined || q < 0 || p === b || q === a) return null;
    const ux = m.x[a] - m.x[p], uy = m.y[a] - m.y[p], vx = m.x[q] - m.x[b], vy = m.y[q] - m.y[b];
    const lu = Math.hypot(ux, uy), lv = Math.hypot(vx, vy);
    if (!(lu > 0 && lv > 0) || (ux * vx + uy * vy) / (lu * lv) > -Math.cos((3 * Math.PI) / 180)) return null;
    return [ux / lu, uy / lu];
  };
  // a ridge end: the top of a triangular end face, shared with exactly the two side faces
  m.faces.forEach((f, e) => {
    if (e < n && f.length === 3 && f[2] >= n && uses.get(f[2]) === 3 && (m.d[f[2]] >= D * 0.999 || wingAxis(f[0], f[1]))) candidates.push(e);
  });
  const chosen = pick(candidates);
  const gables: Gable[] = [];
  const moved = new Set<number>();
  for (const e of chosen) {
    const [a, b, p] = m.faces[e];
    if (moved.has(p)) continue; // a node is the top of one gable only (e.g. squares: keep two opposite)
    const ex = m.x[b] - m.x[a];
    const ey = m.y[b] - m.y[a];
    const L2 = ex * ex + ey * ey;
    let t = ((m.x[p] - m.x[a]) * ex + (m.y[p] - m.y[a]) * ey) / L2;
    // along the wing's mid-line to the edge, where its sides are parallel
    const axis = wingAxis(a, b);
    if (axis) {
      const den = ex * axis[1] - ey * axis[0];
      if (Math.abs(den) > 1e-12 * Math.sqrt(L2)) t = ((m.x[p] - m.x[a]) * axis[1] - (m.y[p] - m.y[a]) * axis[0]) / den;
    }
    t = Math.min(0.95, Math.max(0.05, t));
    const g = m.node(m.x[a] + t * ex, m.y[a] + t * ey, m.d[p]);
    const dx = m.x[p] - m.x[g];
    const dy = m.y[p] - m.y[g];
    const reach = Math.hypot(dx, dy);
    m.faces[e] = [];
    m.replaceNode(p, g);
    // (the faces that shared p now hold g: a triangle's three end faces share one apex, one gable only)
    moved.add(p).add(g);
    gables.push({ a, b, g, inward: reach > 0 ? [dx / reach, dy / reach] : [0, 0], reach });
  }
  m.faces = m.faces.filter((f) => f.length >= 3);
  return gables;
}

/**
 * Half-hip a gable: the gable wall stops at fraction `f` of the roof height and a small hip face rises
 * from there to the ridge (f = 0 gives a full hip, f = 1 leaves the gable).
 */
export function hipGable(m: RoofModel, gable: Gable, f: number): void {
  const { a, b, g, inward, reach } = gable;
  const D = m.d[g];
  const p = m.node(m.x[g] + inward[0] * reach * (1 - f), m.y[g] + inward[1] * reach * (1 - f), D);
  if (f <= 0) {
    // the outline a→g→b becomes a→b under a hip face a, b, p
    m.replaceNode(g, p);
    m.faces.push([a, b, p]);
    return;
  }
  const c1 = m.node(m.x[a] + f * (m.x[g] - m.x[a]), m.y[a] + f * (m.y[g] - m.y[a]), f * D);
  const c2 = m.node(m.x[b] + f * (m.x[g] - m.x[b]), m.y[b] + f * (m.y[g] - m.y[b]), f * D);
  for (const face of m.faces) {
    for (let i = 0; i < face.length; i++) {
      const nx = face[(i + 1) % face.length];
      if (face[i] === a && nx === g) {
        face.splice(i + 1, 1, c1, p);
        break;
      }
      if (face[i] === g && nx === b) {
        face.splice(i, 1, p, c2);
        break;
      }
    }
  }
  m.replaceNode(g, p);
  m.faces.push([c1, c2, p]);
}
