import type { BuildingParams, FeatureBatch } from '../core/types.js';

/**
 * A facade look: one window bay of one storey, drawn as a small texture that repeats along every wall
 * (texture coordinates in bays and storeys) and is multiplied by the wall's own colour: the wall stays
 * the building's colour, the windows come out as dark glass tinted by it.
 */
export interface FacadeLook {
  /** Name, the texture's and the material's (`facade:<name>`). */
  name: string;
  /** Width of one window bay (m): a wall gets the whole number of bays nearest its length / this. */
  bay: number;
  /** Window width and height as shares of the bay and the storey; the sill's height as a share of the storey. */
  window: { width: number; height: number; sill: number };
  /** Glass and frame colours (sRGB, 0–255) before the wall colour multiplies them. */
  glass: [number, number, number];
  frame: [number, number, number];
  /** A door at the bay's left, from the ground (shares of the bay and the storey); the window then follows it. */
  door?: { width: number; height: number };
}

/** The looks: plain windows for homes, wider ones for shops and offices, a glass curtain wall for glass. */
export const FACADE_LOOKS: Readonly<Record<string, FacadeLook>> = {
  residential: { name: 'residential', bay: 3, window: { width: 0.42, height: 0.5, sill: 0.3 }, glass: [62, 72, 84], frame: [236, 236, 236] },
  commercial: { name: 'commercial', bay: 3.5, window: { width: 0.7, height: 0.55, sill: 0.25 }, glass: [70, 84, 98], frame: [205, 208, 212] },
  glass: { name: 'glass', bay: 1.5, window: { width: 0.92, height: 0.86, sill: 0.07 }, glass: [96, 128, 150], frame: [150, 156, 162] },
  // a house's front door (one bay of one wall's ground storey; see `entrancesOf`): a door, no window
  entrance: { name: 'entrance', bay: 3, window: { width: 0, height: 0, sill: 0 }, door: { width: 0.36, height: 0.74 }, glass: [96, 70, 52], frame: [236, 236, 236] },
  // a shop's ground floor: a glazed door and a display window in every bay
  shopfront: { name: 'shopfront', bay: 3.5, window: { width: 0.56, height: 0.7, sill: 0.12 }, door: { width: 0.24, height: 0.8 }, glass: [54, 66, 80], frame: [88, 94, 102] },
};

/** Building types whose ground floor is a shop front (so is any building with a `shop` tag). */
const SHOP_TYPES = /^(commercial|retail|supermarket|kiosk)$/;

/** Storey height (m) when a building has no `building:levels`: its walls hold the whole number of storeys nearest this. */
export const DEFAULT_STOREY = 3;

/** What walls need to lay out a facade: the look, its bay and the storey height (m), and which walls are shared. */
export interface FacadeWalls {
  look: string;
  bay: number;
  storey: number;
  /** Whether the wall from (x0, y0) to (x1, y1) is shared with a neighbour (no windows), if known. */
  party?: (x0: number, y0: number, x1: number, y1: number) => boolean;
  /** The ground storey's own look (a shop front), the same bays; absent: the look all the way down. */
  ground?: string;
  /** The look of the front-door bays (see `entrancesOf` in prism.ts); absent: no door (a shop front has its own). */
  entrance?: string;
  /** Where the building's entrances are (x, y pairs, as `BuildingParams.entrances`): a door each; absent: one front door. */
  doors?: readonly number[];
  /** Windows and doors as geometry (openings with reveals and panes, see `geometryWalls`) instead of a texture. */
  geometry?: boolean;
  /** The middle of the building's block (see `PartyWalls.blockMiddles`): its front door faces away from it. */
  away?: readonly [number, number];
  /** How far, up to `reach`, the building in front of the point (x, y) looking along (nx, ny) stands (see `PartyWalls.clearance`), if known. */
  clearance?: (x: number, y: number, nx: number, ny: number, reach: number) => number;
  /** How high (m) the terrain stands at (x, y) above the building's foot (z = 0), if known: windows and doors under it are left out. */
  buried?: (x: number, y: number) => number;
}

/**
 * A building's facade: the look by its type and material, and its storey height from `building:levels`
 * (the walls' height shared among them) or the whole number of storeys nearest {@link DEFAULT_STOREY} each.
 *
 * @example
 * ```ts
 * facadeOf(params); // { look: 'residential', bay: 3, storey: 2.9, entrance: 'entrance' }
 * ```
 */
export function facadeOf(p: BuildingParams, wallTop: number): FacadeWalls {
  const type = (p.kind ?? '').toLowerCase();
  const material = (p.material ?? '').toLowerCase();
  // a shop tag on the building, or shop nodes inside it (`shops`, read from OpenStreetMap)
  const shop = SHOP_TYPES.test(type) || p.attributes['shop'] != null || p.attributes['shops'] != null;
  const look = material === 'glass' ? 'glass' : shop || /^(office|industrial|warehouse)$/.test(type) ? 'commercial' : 'residential';
  const walls = wallTop - p.minHeight;
  const levels = p.levels !== null && p.levels > 0 ? p.levels - (p.minLevel ?? 0) : 0;
  // without believable levels, the whole number of storeys nearest DEFAULT_STOREY each: no storey cut short
  // under the roof (an 8 m house has three of 2.67 m, not two and two thirds); walls under 2.5 m keep 3 m
  const storey = levels > 0 && walls / levels >= 2 && walls / levels <= 6 ? walls / levels : walls >= 2.5 ? walls / Math.max(1, Math.round(walls / DEFAULT_STOREY)) : DEFAULT_STOREY;
  // a shop front on the street: only where the walls stand on the ground (not a part lifted above it)
  const ground = shop && (p.minLevel ?? 0) === 0 && p.minHeight <= 0.5 && material !== 'glass' ? 'shopfront' : undefined;
  // a front door where the walls stand on the ground and no shop front has doors already
  const entrance = !ground && (p.minLevel ?? 0) === 0 && p.minHeight <= 0.5 && walls >= 2.2 ? 'entrance' : undefined;
  const doors = entrance && p.entrances?.length ? { doors: p.entrances } : {};
  return { look, bay: FACADE_LOOKS[look].bay, storey, ...(ground ? { ground } : {}), ...(entrance ? { entrance } : {}), ...doors };
}

/**
 * The texture of a look: RGBA pixels of one bay × one storey (`width` × `height`), white wall around a
 * framed window. Its first row is the storey's foot: glTF's v runs down the image from its first row, the
 * walls' v (storeys) runs up from their foot. Its first and last columns are wall: a wall too short for a
 * window samples there.
 */
export function facadeTexture(look: FacadeLook, width = 32, height = 32): { width: number; height: number; rgba: Uint8Array } {
  const rgba = new Uint8Array(4 * width * height).fill(255);
  // a framed pane from column x0 to x1, row yTop to yBottom (rows top down)
  const pane = (x0: number, x1: number, yTop: number, yBottom: number) => {
    for (let y = yTop; y < yBottom; y++)
      for (let x = x0; x < x1; x++) {
        const edge = x === x0 || x === x1 - 1 || y === yTop || y === yBottom - 1;
        const c = edge ? look.frame : look.glass;
        rgba.set([c[0], c[1], c[2], 255], 4 * (y * width + x));
      }
  };
  const w = Math.round(look.window.width * width), h = Math.round(look.window.height * height);
  const yBottom = height - Math.round(look.window.sill * height), yTop = Math.max(1, yBottom - h);
  const dw = look.door ? Math.round(look.door.width * width) : 0, dh = look.door ? Math.round(look.door.height * height) : 0;
  if (look.door && w === 0) {
    // a door alone, in the middle of the bay, from the ground
    const d0 = Math.max(1, Math.round((width - dw) / 2));
    pane(d0, Math.min(width - 1, d0 + dw), height - dh, height);
  } else if (look.door) {
    // the door from the ground at the bay's left, the window after it; wall columns at both edges
    const d0 = Math.max(1, Math.round((width - dw - w - 2) / 2)), d1 = d0 + dw;
    pane(d0, d1, height - dh, height);
    pane(d1 + 2, Math.min(width - 1, d1 + 2 + w), yTop, yBottom);
  } else {
    const x0 = Math.max(1, Math.round((width - w) / 2));
    pane(x0, Math.min(width - 1, x0 + w), yTop, yBottom);
  }
  // (drawn as seen, top down) its first row the storey's foot: flip the rows
  const row = 4 * width;
  for (let y = 0; y < height / 2; y++) {
    const a = rgba.slice(y * row, (y + 1) * row);
    rgba.copyWithin(y * row, (height - 1 - y) * row, (height - y) * row);
    rgba.set(a, (height - 1 - y) * row);
  }
  return { width, height, rgba };
}

/** Distance (m) within which a wall lies on a neighbour's: both ends and its middle. */
const PARTY_TOLERANCE = 0.1;
/** Cell (m) of the party-wall index. */
const PARTY_CELL = 4;

/**
 * Party walls: the edges of every footprint in a batch, indexed on a grid, so a wall lying along another
 * building's or part's outline (a terrace's shared wall) can be told and left without windows. Only
 * neighbours that are drawn and stand beside the wall count: not the outline a part lies in (drawn as its
 * parts), not a tower above its podium.
 *
 * @example
 * ```ts
 * const party = new PartyWalls(batch);
 * party.shared(f, x0, y0, x1, y1); // true where feature f's wall x0,y0 → x1,y1 lies on a neighbour's
 * ```
 */
export class PartyWalls {
  private readonly cells = new Map<number, number[]>();
  /** Per segment: x0, y0, x1, y1. */
  private readonly seg: Float64Array;
  /** Per segment: its feature. */
  private readonly owner: Int32Array;

  /** Per feature: the bottom and top of its walls (m), or NaN for one not drawn. */
  private readonly zRange: Float64Array;

  constructor(batch: FeatureBatch) {
    const { positions: P, ringOffsets: R, polygonOffsets: PO, featureOffsets: FO } = batch;
    let n = 0;
    for (let r = 0; r + 1 < R.length; r++) n += R[r + 1] - R[r];
    this.seg = new Float64Array(4 * n);
    this.owner = new Int32Array(n);
    this.zRange = new Float64Array(2 * batch.params.length).fill(NaN);
    let s = 0;
    for (let f = 0; f + 1 < FO.length; f++) {
      const q = batch.params[f];
      // an outline drawn as its parts has no walls: its parts' outer walls along it are not shared
      if (q.drawAs < 0) continue;
      this.zRange[2 * f] = q.minHeight + (q.base ?? 0);
      this.zRange[2 * f + 1] = q.height + (q.base ?? 0);
      for (let p = FO[f]; p < FO[f + 1]; p++)
        for (let r = PO[p]; r < PO[p + 1]; r++) {
          const a = R[r], m = R[r + 1] - a;
          for (let k = 0; k < m; k++) {
            const i = a + k, j = a + ((k + 1) % m);
            this.seg[4 * s] = P[2 * i];
            this.seg[4 * s + 1] = P[2 * i + 1];
            this.seg[4 * s + 2] = P[2 * j];
            this.seg[4 * s + 3] = P[2 * j + 1];
            this.owner[s] = f;
            this.index(s);
            s++;
          }
        }
    }
  }

  private key(cx: number, cy: number): number {
    return (cx + 32768) * 65536 + (cy + 32768);
  }

  private index(s: number): void {
    const x0 = this.seg[4 * s], y0 = this.seg[4 * s + 1], x1 = this.seg[4 * s + 2], y1 = this.seg[4 * s + 3];
    const c = PARTY_CELL, t = PARTY_TOLERANCE;
    for (let cx = Math.floor((Math.min(x0, x1) - t) / c); cx <= Math.floor((Math.max(x0, x1) + t) / c); cx++)
      for (let cy = Math.floor((Math.min(y0, y1) - t) / c); cy <= Math.floor((Math.max(y0, y1) + t) / c); cy++) {
        const k = this.key(cx, cy);
        const list = this.cells.get(k);
        if (list) list.push(s);
        else this.cells.set(k, [s]);
      }
  }

  /**
   * Per feature, the middle of its block: the area-weighted centroid of the outer rings of every building it
   * touches along a wall, directly or through others (a terrace, a perimeter block); a building touching none
   * is a block of its own. NaN for features not drawn. A house's street side faces away from it.
   *
   * @example
   * ```ts
   * const middle = party.blockMiddles(batch); // [x0, y0, x1, y1, …]
   * ```
   */
  blockMiddles(batch: FeatureBatch): Float64Array {
    const nf = batch.params.length;
    const parent = Int32Array.from({ length: nf }, (_, i) => i);
    const find = (i: number): number => {
      while (parent[i] !== i) i = parent[i] = parent[parent[i]];
      return i;
    };
    // union along every wall whose middle lies on a neighbour's wall (the lower index is the root: deterministic)
    for (let s = 0; s < this.owner.length; s++) {
      const f = this.owner[s];
      if (Number.isNaN(this.zRange[2 * f])) continue;
      const x0 = this.seg[4 * s], y0 = this.seg[4 * s + 1], dx = this.seg[4 * s + 2] - x0, dy = this.seg[4 * s + 3] - y0;
      const o = this.otherAt(f, x0 + 0.5 * dx, y0 + 0.5 * dy, dx, dy);
      if (o < 0) continue;
      const a = find(f), b = find(o);
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
    // each feature's outer rings: area and area-weighted centroid, summed per block
    const { positions: P, ringOffsets: R, polygonOffsets: PO, featureOffsets: FO } = batch;
    const sum = new Float64Array(3 * nf);
    for (let f = 0; f < nf; f++) {
      if (Number.isNaN(this.zRange[2 * f])) continue;
      let A = 0, cx = 0, cy = 0;
      for (let p = FO[f]; p < FO[f + 1]; p++) {
        const a = R[PO[p]], e = R[PO[p] + 1];
        for (let i = a, j = e - 1; i < e; j = i++) {
          const cr = P[2 * j] * P[2 * i + 1] - P[2 * i] * P[2 * j + 1];
          A += cr / 2;
          cx += ((P[2 * j] + P[2 * i]) * cr) / 6;
          cy += ((P[2 * j + 1] + P[2 * i + 1]) * cr) / 6;
        }
      }
      const r = find(f);
      sum[3 * r] += A;
      sum[3 * r + 1] += cx;
      sum[3 * r + 2] += cy;
    }
    const out = new Float64Array(2 * nf).fill(NaN);
    for (let f = 0; f < nf; f++) {
      if (Number.isNaN(this.zRange[2 * f])) continue;
      const r = find(f);
      if (sum[3 * r] > 0) [out[2 * f], out[2 * f + 1]] = [sum[3 * r + 1] / sum[3 * r], sum[3 * r + 2] / sum[3 * r]];
    }
    return out;
  }

  /**
   * How far (m) the ray from (x, y) along (nx, ny) runs before it meets another drawn building beside feature `f`
   * (its walls' height range overlapping), up to `reach` (at most one index cell, 4 m); Infinity for none. A door
   * does not go where the next building stands a step away (a gap between walls, not a street).
   */
  clearance(f: number, x: number, y: number, nx: number, ny: number, reach: number): number {
    let best = Infinity;
    const cx = Math.floor(x / PARTY_CELL), cy = Math.floor(y / PARTY_CELL);
    for (let i = cx - 1; i <= cx + 1; i++)
      for (let j = cy - 1; j <= cy + 1; j++)
        for (const s of this.cells.get(this.key(i, j)) ?? []) {
          const o = this.owner[s];
          if (o === f) continue;
          const lo = Math.max(this.zRange[2 * f], this.zRange[2 * o]), hi = Math.min(this.zRange[2 * f + 1], this.zRange[2 * o + 1]);
          if (!(hi - lo > 0.5 * (this.zRange[2 * f + 1] - this.zRange[2 * f]))) continue;
          const x0 = this.seg[4 * s], y0 = this.seg[4 * s + 1], ex = this.seg[4 * s + 2] - x0, ey = this.seg[4 * s + 3] - y0;
          // the ray (x, y) + t (nx, ny) against the segment (x0, y0) + u (ex, ey)
          const den = nx * ey - ny * ex;
          if (Math.abs(den) < 1e-12) continue;
          const t = ((x0 - x) * ey - (y0 - y) * ex) / den, u = ((x0 - x) * ny - (y0 - y) * nx) / den;
          if (t > 1e-3 && t <= reach && u >= 0 && u <= 1 && t < best) best = t;
        }
    return best;
  }

  /** Whether point (x, y) lies within the tolerance of a segment of another feature than `f`, parallel to (dx, dy). */
  private onOther(f: number, x: number, y: number, dx: number, dy: number): boolean {
    return this.otherAt(f, x, y, dx, dy) >= 0;
  }

  /** The feature (another than `f`) with a segment parallel to (dx, dy) within the tolerance of point (x, y), or -1. */
  private otherAt(f: number, x: number, y: number, dx: number, dy: number): number {
    const list = this.cells.get(this.key(Math.floor(x / PARTY_CELL), Math.floor(y / PARTY_CELL)));
    if (!list) return -1;
    const len = Math.hypot(dx, dy);
    for (const s of list) {
      const o = this.owner[s];
      if (o === f) continue;
      // a neighbour beside these walls, not only above or below them (a tower on its podium): more than
      // half of their height
      const lo = Math.max(this.zRange[2 * f], this.zRange[2 * o]), hi = Math.min(this.zRange[2 * f + 1], this.zRange[2 * o + 1]);
      if (!(hi - lo > 0.5 * (this.zRange[2 * f + 1] - this.zRange[2 * f]))) continue;
      const x0 = this.seg[4 * s], y0 = this.seg[4 * s + 1], ex = this.seg[4 * s + 2] - x0, ey = this.seg[4 * s + 3] - y0;
      const l2 = ex * ex + ey * ey;
      if (l2 === 0) continue;
      // parallel within about 3°
      if (Math.abs(ex * dy - ey * dx) > 0.05 * Math.sqrt(l2) * len) continue;
      const t = Math.max(0, Math.min(1, ((x - x0) * ex + (y - y0) * ey) / l2));
      if (Math.hypot(x0 + t * ex - x, y0 + t * ey - y) <= PARTY_TOLERANCE) return o;
    }
    return -1;
  }

  /** Whether feature `f`'s wall from (x0, y0) to (x1, y1) lies along another building's or part's outline (ends and middle). */
  shared(f: number, x0: number, y0: number, x1: number, y1: number): boolean {
    const dx = x1 - x0, dy = y1 - y0;
    // a little inside the ends: a corner touching a neighbour's corner is not a shared wall
    const a = 0.05, b = 0.95;
    return this.onOther(f, x0 + a * dx, y0 + a * dy, dx, dy) && this.onOther(f, x0 + 0.5 * dx, y0 + 0.5 * dy, dx, dy) && this.onOther(f, x0 + b * dx, y0 + b * dy, dx, dy);
  }
}
