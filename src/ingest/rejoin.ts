import gdal from './gdal.js';
import type { RawFeature } from './raw.js';
import type { TilePiece } from './mvt.js';
import { tileBounds } from './webmercator.js';
import type { TagValue } from './tags.js';
import { parsePolygonalWKB, writePolygonalWKB, type FlatPolygons } from './wkb.js';

/** Options for {@link TileRejoiner}. */
export interface RejoinOptions {
  /** Attributes that are ids, left out of the "equal attributes" test (ids are not unique in every tile schema). */
  idAttributes: string[];
  /** Distance (metres, EPSG:3857) within which a vertex counts as lying on a tile edge. */
  tolerance: number;
}

/** Defaults for {@link RejoinOptions}. */
export const REJOIN_DEFAULTS: RejoinOptions = { idAttributes: ['mvt_id', 'id', 'osm_id', 'osm_way_id'], tolerance: 0.01 };

interface EdgeEntry {
  piece: number;
  /** 0: the piece lies left of / above the edge; 1: right of / below. */
  side: 0 | 1;
  lo: number;
  hi: number;
}

class UnionFind {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n).map((_, i) => i);
  }
  find(i: number): number {
    while (this.parent[i] !== i) i = this.parent[i] = this.parent[this.parent[i]];
    return i;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/**
 * Whether two pieces' attributes allow them to be one building: equal wherever both have a value (ids
 * aside). Compared by value, not by schema: tiles of one pyramid can carry different fields (OSM-QA
 * tiles: 273 in one, 147 in its neighbour), and a field a tile lacks is simply absent there.
 */
export function sameAttributes(a: Record<string, TagValue>, b: Record<string, TagValue>, idAttributes: readonly string[]): boolean {
  for (const k in a) {
    const va = a[k];
    if (va === null || va === undefined || va === '' || idAttributes.includes(k)) continue;
    const vb = b[k];
    if (vb === null || vb === undefined || vb === '') continue;
    if (va !== vb && String(va) !== String(vb)) return false;
  }
  return true;
}

/**
 * Snap vertices lying within `tol` of the tile's edges exactly onto them and collect the intervals
 * of the piece's boundary that run along each edge.
 */
function edgeIntervals(p: TilePiece, poly: FlatPolygons, tol: number, index: number, edges: Map<string, EdgeEntry[]>): void {
  const [x0, y0, x1, y1] = tileBounds(p.z, p.x, p.y);
  const xs = [x0, x1];
  const ys = [y1, y0]; // north edge first
  const c = poly.coords;
  for (let i = 0; i < c.length; i += 2) {
    for (const x of xs) if (Math.abs(c[i] - x) <= tol) c[i] = x;
    for (const y of ys) if (Math.abs(c[i + 1] - y) <= tol) c[i + 1] = y;
  }
  const add = (key: string, side: 0 | 1, a: number, b: number) => {
    const list = edges.get(key) ?? [];
    list.push({ piece: index, side, lo: Math.min(a, b), hi: Math.max(a, b) });
    edges.set(key, list);
  };
  for (let r = 0; r + 1 < poly.ringOffsets.length; r++) {
    const a = poly.ringOffsets[r];
    const b = poly.ringOffsets[r + 1];
    for (let i = a; i < b; i++) {
      const j = i + 1 < b ? i + 1 : a;
      const x0 = c[2 * i], y0 = c[2 * i + 1], x1 = c[2 * j], y1 = c[2 * j + 1];
      if (x0 === x1 && y0 !== y1) {
        if (x0 === xs[0]) add(`V${p.z}:${p.x}:${p.y}`, 1, y0, y1);
        else if (x0 === xs[1]) add(`V${p.z}:${p.x + 1}:${p.y}`, 0, y0, y1);
      } else if (y0 === y1 && x0 !== x1) {
        if (y0 === ys[0]) add(`H${p.z}:${p.x}:${p.y}`, 1, x0, x1);
        else if (y0 === ys[1]) add(`H${p.z}:${p.x}:${p.y + 1}`, 0, x0, x1);
      }
    }
  }
}

/** Statistics of a {@link TileRejoiner} run. */
export interface RejoinReport {
  /** Pieces with boundary along an edge shared with a neighbouring tile of the input. */
  piecesOnEdges: number;
  /** Groups of two or more pieces that were unioned. */
  groupsJoined: number;
  /** Pieces consumed by those groups. */
  piecesJoined: number;
}

/**
 * Re-join buildings cut by tile edges, one tile at a time: pieces in neighbouring tiles whose
 * boundaries run along the shared edge over a common stretch, with equal attributes (ids aside), are
 * unioned (GEOS) into one feature. Joined geometrically, since feature ids are not unique in every
 * tile schema. A piece with no boundary along an edge shared with another tile of the input is a
 * feature at once ({@link TileRejoiner.add}); only the pieces on shared edges (4 % on the SF tiles)
 * are held until {@link TileRejoiner.finish}, so a large tileset streams.
 */
export class TileRejoiner {
  private readonly held: TilePiece[] = [];
  private readonly polys: FlatPolygons[] = [];
  private readonly edges = new Map<string, EdgeEntry[]>();
  /** What was found and joined (complete after {@link TileRejoiner.finish}). */
  readonly report: RejoinReport = { piecesOnEdges: 0, groupsJoined: 0, piecesJoined: 0 };

  /** `tiles`: the input's tiles as `z:x:y` (an edge is shared when the tiles on both sides are in it). */
  constructor(
    private readonly tiles: ReadonlySet<string>,
    private readonly options: RejoinOptions = REJOIN_DEFAULTS,
  ) {}

  private feature(p: TilePiece, wkb: Uint8Array, pieces: number): RawFeature {
    return { id: p.id ?? `${p.z}/${p.x}/${p.y}#${p.fid}`, source: p.source, where: p.where, tags: p.tags, wkb, pieces, osm: p.osm };
  }

  /** Pieces held for re-joining so far. */
  get holding(): number {
    return this.held.length;
  }

  /** Take the pieces of one tile; returns those that are whole features already, in order. */
  add(pieces: TilePiece[]): RawFeature[] {
    const out: RawFeature[] = [];
    for (const p of pieces) {
      const poly = parsePolygonalWKB(p.wkb);
      const own = new Map<string, EdgeEntry[]>();
      edgeIntervals(p, poly, this.options.tolerance, this.held.length, own);
      if (![...own.keys()].some((edge) => this.shared(edge))) {
        out.push(this.feature(p, writePolygonalWKB(poly), 1));
        continue;
      }
      this.held.push(p);
      this.polys.push(poly);
      for (const [edge, list] of own) {
        const all = this.edges.get(edge);
        if (all) all.push(...list);
        else this.edges.set(edge, list);
      }
    }
    return out;
  }

  /** Whether the tiles on both sides of an edge key are in the input. */
  private shared(edge: string): boolean {
    const [kind, rest] = [edge[0], edge.slice(1)];
    const [z, a, b] = rest.split(':').map(Number);
    const other = kind === 'V' ? `${z}:${a - 1}:${b}` : `${z}:${a}:${b - 1}`;
    return this.tiles.has(other) && this.tiles.has(`${z}:${a}:${b}`);
  }

  /** Join the held pieces; returns the resulting features in the order of their first piece. */
  finish(): RawFeature[] {
    const pieces = this.held, polys = this.polys, options = this.options;
    const uf = new UnionFind(pieces.length);
    const onEdge = new Set<number>();
    for (const [edge, list] of this.edges) {
      if (!this.shared(edge)) continue;
      for (const e of list) onEdge.add(e.piece);
      for (const e0 of list) {
        if (e0.side !== 0) continue;
        for (const e1 of list) {
          if (e1.side !== 1 || !sameAttributes(pieces[e0.piece].tags, pieces[e1.piece].tags, options.idAttributes)) continue;
          const overlap = Math.min(e0.hi, e1.hi) - Math.max(e0.lo, e1.lo);
          if (overlap > options.tolerance) uf.union(e0.piece, e1.piece);
        }
      }
    }
    const groups = new Map<number, number[]>();
    for (let i = 0; i < pieces.length; i++) {
      const r = uf.find(i);
      const g = groups.get(r);
      if (g) g.push(i);
      else groups.set(r, [i]);
    }
    this.report.piecesOnEdges = onEdge.size;
    const features: RawFeature[] = [];
    const srs = gdal.SpatialReference.fromEPSG(3857);
    for (const [root, members] of [...groups.entries()].sort((a, b) => a[0] - b[0])) {
      let wkb: Uint8Array;
      if (members.length === 1) {
        wkb = writePolygonalWKB(polys[root]);
      } else {
        this.report.groupsJoined++;
        this.report.piecesJoined += members.length;
        let g = gdal.Geometry.fromWKB(Buffer.from(writePolygonalWKB(polys[members[0]])), srs);
        for (let k = 1; k < members.length; k++) g = g.union(gdal.Geometry.fromWKB(Buffer.from(writePolygonalWKB(polys[members[k]])), srs));
        if (!g.isValid()) g = g.makeValid();
        wkb = g.toWKB('LSB');
      }
      features.push(this.feature(pieces[root], wkb, members.length));
    }
    this.held.length = 0;
    this.polys.length = 0;
    this.edges.clear();
    return features;
  }
}
