import gdal from 'gdal-async';
import type { RawFeature } from './raw.js';
import type { TilePiece } from './mvt.js';
import type { TagValue } from './tags.js';
import { parsePolygonalWKB, writePolygonalWKB, type FlatPolygons } from './wkb.js';

/** Half the extent of the web-mercator square (EPSG:3857), metres. */
const E = 20037508.342789244;

/** Options for {@link rejoinTilePieces}. */
export interface RejoinOptions {
  /** Attributes that are ids, left out of the "equal attributes" test (ids are not unique in every tile schema). */
  idAttributes: string[];
  /** Distance (metres, EPSG:3857) within which a vertex counts as lying on a tile edge. */
  tolerance: number;
}

/** Defaults for {@link RejoinOptions}. */
export const REJOIN_DEFAULTS: RejoinOptions = { idAttributes: ['mvt_id', 'id', 'osm_id'], tolerance: 0.01 };

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

/** Key of the attributes that must be equal for two pieces to be one building. */
export function attributeKey(tags: Record<string, TagValue>, idAttributes: string[]): string {
  return JSON.stringify(
    Object.keys(tags)
      .filter((k) => !idAttributes.includes(k))
      .sort()
      .map((k) => [k, tags[k]]),
  );
}

/**
 * Snap vertices lying within `tol` of the tile's edges exactly onto them and collect the intervals
 * of the piece's boundary that run along each edge.
 */
function edgeIntervals(p: TilePiece, poly: FlatPolygons, tol: number, index: number, edges: Map<string, EdgeEntry[]>): void {
  const size = (2 * E) / 2 ** p.z;
  const xs = [-E + p.x * size, -E + (p.x + 1) * size];
  const ys = [E - p.y * size, E - (p.y + 1) * size];
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

/** Statistics of a {@link rejoinTilePieces} run. */
export interface RejoinReport {
  /** Pieces with boundary along an edge shared with a neighbouring tile of the input. */
  piecesOnEdges: number;
  /** Groups of two or more pieces that were unioned. */
  groupsJoined: number;
  /** Pieces consumed by those groups. */
  piecesJoined: number;
}

/**
 * Re-join buildings cut by tile edges: pieces in neighbouring tiles whose boundaries run along the
 * shared edge over a common stretch, with equal attributes (ids aside), are unioned (GEOS) into one
 * feature. Joined geometrically, since feature ids are not unique in every tile schema.
 * @returns features in input order of their first piece, and what was joined
 */
export function rejoinTilePieces(file: string, layerName: string, pieces: TilePiece[], options: RejoinOptions = REJOIN_DEFAULTS): { features: RawFeature[]; report: RejoinReport } {
  const polys = pieces.map((p) => parsePolygonalWKB(p.wkb));
  const edges = new Map<string, EdgeEntry[]>();
  pieces.forEach((p, i) => edgeIntervals(p, polys[i], options.tolerance, i, edges));
  const keys = pieces.map((p) => attributeKey(p.tags, options.idAttributes));
  const tilesPresent = new Set(pieces.map((p) => `${p.z}:${p.x}:${p.y}`));
  const uf = new UnionFind(pieces.length);
  const onEdge = new Set<number>();
  for (const [edge, list] of edges) {
    // only edges shared by two tiles of this input count
    const [kind, rest] = [edge[0], edge.slice(1)];
    const [z, a, b] = rest.split(':').map(Number);
    const other = kind === 'V' ? `${z}:${a - 1}:${b}` : `${z}:${a}:${b - 1}`;
    const self = `${z}:${a}:${b}`;
    if (!tilesPresent.has(other) || !tilesPresent.has(self)) continue;
    for (const e of list) onEdge.add(e.piece);
    for (const e0 of list) {
      if (e0.side !== 0) continue;
      for (const e1 of list) {
        if (e1.side !== 1 || keys[e0.piece] !== keys[e1.piece]) continue;
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
  const report: RejoinReport = { piecesOnEdges: onEdge.size, groupsJoined: 0, piecesJoined: 0 };
  const features: RawFeature[] = [];
  const srs = gdal.SpatialReference.fromEPSG(3857);
  for (const [root, members] of [...groups.entries()].sort((a, b) => a[0] - b[0])) {
    const p0 = pieces[root];
    const id = `${p0.z}/${p0.x}/${p0.y}#${p0.fid}`;
    let wkb: Uint8Array;
    if (members.length === 1) {
      wkb = writePolygonalWKB(polys[root]);
    } else {
      report.groupsJoined++;
      report.piecesJoined += members.length;
      let g = gdal.Geometry.fromWKB(Buffer.from(writePolygonalWKB(polys[members[0]])), srs);
      for (let k = 1; k < members.length; k++) g = g.union(gdal.Geometry.fromWKB(Buffer.from(writePolygonalWKB(polys[members[k]])), srs));
      if (!g.isValid()) g = g.makeValid();
      wkb = g.toWKB('LSB');
    }
    features.push({ id, source: `${file}#${layerName}`, tags: p0.tags, wkb, pieces: members.length });
  }
  return { features, report };
}
