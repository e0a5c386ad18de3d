import type { ColumnStats, FrameInfo } from '../core/types.js';
import { mergeColumnStats } from '../export/metadata.js';
import type { Box3 as Box } from '../core/extent.js';
import { leavesOf, type TileNode } from './partition.js';

/** What building one tile left beside its content: its bounds (frame metres, z up) and counts. */
export interface TileRecord {
  id: string;
  bounds: Box;
  /** The buildings' own bounds (without the tile's terrain), when it has buildings. */
  buildingBounds?: Box;
  /** Its buildings, building parts included. */
  buildings: number;
  /** A leaf's: how many of its buildings are building parts (drawn for their outline). */
  parts?: number;
  triangles: number;
  bytes: number;
  /** A leaf's: what each column of its building table holds (merged into tileset.json for colouring). */
  stats?: Record<string, ColumnStats>;
  /** The warnings building the tile counted (by kind): a resumed run counts them again, as the run that built it did. */
  warnings?: Record<string, number>;
  /**
   * A leaf's buildings for the find index: id, name ('' for none), the centre of its top in the frame, then its
   * height and the diagonal of its box (metres; absent from tilesets written before), then the values of its
   * reference attributes ({@link REFERENCE_ATTRIBUTE}: `ref`, `gml_id`, …), where it has any.
   */
  find?: [id: string, name: string, x: number, y: number, z: number, height?: number, size?: number, refs?: string[]][];
}

/** Geometric error of a tile: 0 for leaves; for coarser tiles, a fraction of their size. */
export function geometricError(node: TileNode): number {
  return node.children.length ? Math.max(1, node.size / 16) : 0;
}

const union = (a: Box, b: Box): Box => [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.min(a[2], b[2]), Math.max(a[3], b[3]), Math.max(a[4], b[4]), Math.max(a[5], b[5])];
const round = (v: number) => Math.round(v * 1000) / 1000;

/**
 * The OGC 3D Tiles 1.1 tileset: explicit quadtree, REPLACE refinement (coarser tiles hold the same
 * buildings simplified), one GLB content per tile, box bounding volumes in the local frame (every
 * parent's box holds its children's), geometric error halving per level, and the root transform
 * from the frame (east-north-up) to ECEF.
 */
export function tilesetJson(root: TileNode, records: Map<string, TileRecord>, frame: FrameInfo, copyright: string, find: string[] = []): string {
  const boxes = new Map<string, Box>();
  const boxOf = (n: TileNode): Box => {
    let b = records.get(n.id)!.bounds as Box;
    for (const c of n.children) b = union(b, boxOf(c));
    boxes.set(n.id, b);
    return b;
  };
  boxOf(root);
  const tile = (n: TileNode): Record<string, unknown> => {
    const b = boxes.get(n.id)!;
    const c = [(b[0] + b[3]) / 2, (b[1] + b[4]) / 2, (b[2] + b[5]) / 2];
    const h = [(b[3] - b[0]) / 2, (b[4] - b[1]) / 2, (b[5] - b[2]) / 2].map((v) => Math.max(v, 0.01));
    const out: Record<string, unknown> = {
      boundingVolume: { box: [c[0], c[1], c[2], h[0], 0, 0, 0, h[1], 0, 0, 0, h[2]].map(round) },
      geometricError: round(geometricError(n)),
      refine: 'REPLACE',
      content: { uri: `tiles/${n.id}.glb` },
    };
    if (n.children.length) out.children = n.children.map(tile);
    return out;
  };
  const rootTile = tile(root);
  // every leaf's table, in the tree's order (the merge is the same whatever the shards)
  const leafStats = leavesOf(root)
    .map((n) => records.get(n.id)?.stats)
    .filter((st): st is Record<string, ColumnStats> => st !== undefined);
  rootTile.transform = frame.enuToEcef;
  // the buildings' box over every tile (frame metres, z up): what a viewer's first view frames (the
  // root box holds the terrain's margin too)
  let buildingsBox: Box | null = null;
  for (const r of records.values()) if (r.buildingBounds) buildingsBox = buildingsBox ? union(buildingsBox, r.buildingBounds) : r.buildingBounds;
  // every building is in exactly one leaf; of the root's count, the parts (each leaf knows its own)
  const parts = leavesOf(root).reduce((n, l) => n + (records.get(l.id)?.parts ?? 0), 0);
  const json = {
    // (the counts, for a viewer's "about" line: buildings, and apart the building parts drawn for their
    // outlines (parts-counted-as-buildings: 99 Delft buildings read 199); the columns' statistics, for
    // colouring every tile on one scale)
    asset: { version: '1.1', generator: 'cityforge', tilesetVersion: '1', extras: { cityforge: { frame, buildings: root.count - parts, ...(parts ? { parts } : {}), ...(buildingsBox ? { buildingsBox: buildingsBox.map(round) } : {}), ...(copyright ? { copyright } : {}), columns: mergeColumnStats(leafStats), ...(find.length ? { find: { dir: 'find', buckets: find } } : {}) } } },
    geometricError: round(Math.max(2 * geometricError(root), root.size / 8)),
    root: rootTile,
  };
  return JSON.stringify(json, null, 1) + '\n';
}
