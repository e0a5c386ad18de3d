import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/logger.js';
import type { Summary } from '../core/summary.js';
import type { FeatureBatch, FrameInfo } from '../core/types.js';
import { GLTF_DEFAULTS, writeGlb } from '../export/gltf.js';
import { columnStats } from '../export/metadata.js';
import { buildMeshes, countClimbedOver, countOffData, drawnRows, groundElevations, type BaseMode } from '../procedural/index.js';
import { checkHeader, fileHeader, HEADER_BYTES, StoreReader, type StoredFeatures } from '../store/index.js';
import { removeStaleTemporaries, writeFileAtomic } from '../io/files.js';
import { BlockGrid, boxedBatch, terrainMesh } from '../procedural/index.js';
import { bucketRefs, scanBucket } from './buckets.js';
import { allTiles, leavesOf, tileStem, type TileNode } from './partition.js';
import { REFERENCE_ATTRIBUTE } from '../core/find.js';
import { geometricError, tilesetJson, type TileRecord } from './tileset.js';
import { writeFindIndex } from './find-index.js';
import { trackTemp, untrackTemp } from '../core/temp.js';
import { sampleGrid, sampleValid, type ElevationGrid } from '../core/grid.js';
import { box3Of, type Box3 } from '../core/extent.js';
import type { GroundTexture, TerrainMesh } from '../core/types.js';
import { InputError, OutputError, outputErrorOf } from '../core/errors.js';
import { counted } from '../core/words.js';

/** Coarse tiles merge their buildings into blocks on a grid of this many cells a side… */
const BLOCK_CELLS = 64;
/** …when a cell is at least this wide (metres); finer coarse tiles hold one box per building. */
const BLOCK_MIN_CELL = 30;

/** The plan every shard computes identically and writes beside its tiles; `merge` reads it. */
export interface TilePlan {
  fingerprint: string;
  frame: FrameInfo;
  tree: PlanNode;
  /** Who the data is by: credited in tileset.json and every tile. */
  copyright: string;
  /** What the fingerprint is of (inputs and options), so a rerun told apart can say what differs; absent in older plans. */
  madeFrom?: unknown;
  /** What the run read and holds (a rerun over the finished tileset reports them without reading); absent in older plans. */
  counts?: { featuresRead: number; buildings: number; parts: number; skipped?: Record<string, number>; warnings?: Record<string, number> };
}

/** A tile of the plan (no building lists: those are recomputed from the inputs). */
export interface PlanNode {
  id: string;
  level: number;
  size: number;
  buildings: number;
  children: PlanNode[];
}

/**
 * What differs between two fingerprinted origins ({@link TilePlan.madeFrom}): the options as command-line
 * flags with both values, the inputs, the terrain and the imagery by name. Empty when nothing can be told.
 */
export function madeFromDiffers(was: unknown, now: unknown, inputs?: readonly string[]): string[] {
  if (!was || typeof was !== 'object' || !now || typeof now !== 'object') return [];
  const a = was as Record<string, unknown>, b = now as Record<string, unknown>;
  const out: string[] = [];
  const same = (x: unknown, y: unknown) => JSON.stringify(x ?? null) === JSON.stringify(y ?? null);
  if (!same(a.inputs, b.inputs)) {
    // (inputs-differ-unnamed: "the inputs: their paths, sizes or times" named none of them)
    const ai = Array.isArray(a.inputs) ? (a.inputs as unknown[]) : [], bi = Array.isArray(b.inputs) ? (b.inputs as unknown[]) : [];
    const older = ai.some((x) => Array.isArray(x) && typeof x[0] === 'string');
    const changed = ai.length === bi.length ? bi.flatMap((x, i) => (same(x, ai[i]) ? [] : [i])) : [];
    if (older) out.push('the inputs as an older cityforge recorded them (their paths and times)');
    else if (ai.length !== bi.length) out.push(`the inputs: ${ai.length} before, ${bi.length} now`);
    else out.push(`the content of ${changed.map((i) => (inputs?.[i] !== undefined ? inputs[i] : `input ${i + 1}`)).join(', ')}`);
  }
  if (!same(a.terrain, b.terrain)) out.push('the --terrain file (its content)');
  if (!same(a.imagery, b.imagery)) out.push('the --imagery file (its content)');
  const ao = (a.options ?? {}) as Record<string, unknown>, bo = (b.options ?? {}) as Record<string, unknown>;
  const flag = (k: string) => `--${({ layer: 'layer', types: 'types' } as Record<string, string>)[k] ?? k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const shown = (v: unknown) => (v === undefined || v === null ? 'not given' : typeof v === 'string' ? v : JSON.stringify(v));
  for (const k of [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort()) if (!same(ao[k], bo[k])) out.push(`${flag(k)} ${shown(bo[k])}, before ${shown(ao[k])}`);
  return out;
}

/** The plan's fingerprint of what a tileset is built from (its inputs and options): known before they are read. */
export function planFingerprint(fingerprintOf: unknown): string {
  return crypto.createHash('sha256').update(JSON.stringify(fingerprintOf)).digest('hex').slice(0, 16);
}

/** The plan of a tree (and what it was built from). */
export function makePlan(root: TileNode, frame: FrameInfo, fingerprintOf: unknown, copyright: string): TilePlan {
  const strip = (n: TileNode): PlanNode => ({ id: n.id, level: n.level, size: n.size, buildings: n.count, children: n.children.map(strip) });
  return { fingerprint: planFingerprint(fingerprintOf), frame, tree: strip(root), copyright, madeFrom: fingerprintOf };
}

/** A shard `i/N` of the units: every tile whose position in the fixed order is i modulo N. */
export function shardUnits(root: TileNode, shard: [number, number]): TileNode[] {
  return allTiles(root).filter((_, k) => k % shard[1] === shard[0]);
}

/** What every tile of a run is built from and with. */
export interface TileJob {
  /** The streamed buildings. */
  store: StoredFeatures;
  /** The work folder holding the leaves' bucket files ({@link distribute}). */
  workDir: string;
  /** Output folder. */
  dir: string;
  /** Rebuild tiles already complete. */
  force: boolean;
  /** EXT_meshopt_compression. */
  compress: boolean;
  /** Facades on the leaves (`texture`), or none. */
  facades?: 'none' | 'texture' | 'geometry';
  /** Who the data is by (each tile's `asset.copyright`). */
  copyright: string;
  /** DEM to seat the buildings on (and to mesh into every tile). */
  terrain?: TileTerrain;
  /** How a building sits on the DEM. */
  base: BaseMode;
  /** Folder of leaf tiles' own DEM windows ({@link writeGridFile}, named by tile id), where the run's grid is too coarse. */
  demDir?: string;
  /** Folder of the tiles' ground textures ({@link writeTileTexture}, named by tile id), with imagery. */
  imageryDir?: string;
  /** The root tile's square: a tile's terrain side on it is the tileset's outer side (its skirt stays plain). */
  rootSquare?: { minX: number; minY: number; size: number };
}

/**
 * Whether a terrain skirt's top edge (a → b) lies along a side of `node`'s square that a neighbouring tile
 * shares (not on the root square's side): the skirts there take the imagery, where a plain one showed as a
 * dashed line at the seam; the tileset's outer sides and the data's own edge stay plain, as a single model's.
 */
export function sharedSide(node: { minX: number; minY: number; size: number }, root: { minX: number; minY: number; size: number } | undefined, ax: number, ay: number, bx: number, by: number): boolean {
  // (the mesh's positions are float32: a few of their steps at this distance from the frame's origin)
  const on = (u: number, v: number, w: number) => {
    const eps = 0.01 + 4e-7 * Math.abs(w);
    return Math.abs(u - w) < eps && Math.abs(v - w) < eps;
  };
  const eps = 0.01;
  const x0 = node.minX, y0 = node.minY, x1 = node.minX + node.size, y1 = node.minY + node.size;
  const rx0 = root?.minX ?? -Infinity, ry0 = root?.minY ?? -Infinity, rx1 = root ? root.minX + root.size : Infinity, ry1 = root ? root.minY + root.size : Infinity;
  if (on(ax, bx, x0)) return Math.abs(x0 - rx0) >= eps;
  if (on(ax, bx, x1)) return Math.abs(x1 - rx1) >= eps;
  if (on(ay, by, y0)) return Math.abs(y0 - ry0) >= eps;
  if (on(ay, by, y1)) return Math.abs(y1 - ry1) >= eps;
  return false;
}

const TEXTURE_EXT = { 'image/png': 'png', 'image/jpeg': 'jpg' } as const;

/** Write a tile's ground texture (over its square) into `dir`. */
export function writeTileTexture(dir: string, node: TileNode, t: GroundTexture): void {
  writeFileAtomic(path.join(dir, `${tileStem(node)}.${TEXTURE_EXT[t.mimeType]}`), t.image);
}

/** A tile's ground texture from `dir` (over the tile's square), or undefined when it has none. */
export function readTileTexture(dir: string, node: TileNode): GroundTexture | undefined {
  for (const [mimeType, ext] of Object.entries(TEXTURE_EXT) as [GroundTexture['mimeType'], string][]) {
    const file = path.join(dir, `${tileStem(node)}.${ext}`);
    if (fs.existsSync(file)) return { image: new Uint8Array(fs.readFileSync(file)), mimeType, minX: node.minX, minY: node.minY, maxX: node.minX + node.size, maxY: node.minY + node.size };
  }
  return undefined;
}

/** The file of a tile's DEM window in `dir`. */
export function gridFile(dir: string, node: TileNode): string {
  return path.join(dir, `${tileStem(node)}.grid`);
}

/** Write an elevation grid: the file header, x0, y0, cell, n as float64, then the heights as float32. */
export function writeGridFile(file: string, g: ElevationGrid): void {
  const head = new Float64Array([g.x0, g.y0, g.cell, g.n]);
  writeFileAtomic(file, Buffer.concat([fileHeader('grid'), Buffer.from(head.buffer), Buffer.from(g.heights.buffer, g.heights.byteOffset, g.heights.byteLength)]));
}

/** Read a grid written by {@link writeGridFile}, or undefined when there is none. */
export function readGridFile(file: string): ElevationGrid | undefined {
  if (!fs.existsSync(file)) return undefined;
  const b = fs.readFileSync(file);
  const start = checkHeader(file, b.subarray(0, HEADER_BYTES), 'grid');
  const head = new Float64Array(new Uint8Array(b.subarray(start, start + 32)).buffer);
  const heights = new Float32Array(new Uint8Array(b.subarray(start + 32)).buffer);
  return { x0: head[0], y0: head[1], cell: head[2], n: head[3], heights };
}

/** The lowest DEM sample under a box (corners and centre): a block member's ground. */
function boxGround(grid: ElevationGrid, x0: number, y0: number, x1: number, y1: number): number {
  return Math.min(sampleGrid(grid, x0, y0), sampleGrid(grid, x1, y0), sampleGrid(grid, x1, y1), sampleGrid(grid, x0, y1), sampleGrid(grid, (x0 + x1) / 2, (y0 + y1) / 2));
}

/**
 * Build the content of one tile: full detail (roofs, seated) for a leaf; for a coarser tile
 * (REPLACE refinement) every building below it as a flat-roofed oriented box, or, where the tile is
 * large, merged into blocks on a 64 × 64 grid, streamed from its leaves' buckets (no geometry read,
 * memory for the grid only) — so coarse tiles stay small and cheap whatever the city's size. Only this
 * tile's buildings are read.
 */
export async function buildTileContent(reader: StoreReader, node: TileNode, job: TileJob, summary: Summary): Promise<{ glb: Uint8Array; record: TileRecord; buildings: number; parts: number }> {
  const store = reader.store;
  // a leaf seats its buildings on its own DEM window where the run has them (large areas), else on the run's grid
  const window = !node.children.length && job.demDir ? readGridFile(gridFile(job.demDir, node)) : undefined;
  const grid = window ?? job.terrain?.grid;
  let sub: FeatureBatch;
  let g: Float64Array | undefined;
  let outside: Uint8Array | undefined;
  const cell = node.size / BLOCK_CELLS;
  const leaves = leavesOf(node);
  if (node.children.length && cell >= BLOCK_MIN_CELL) {
    const blocks = new BlockGrid(cell);
    for (const leaf of leaves)
      // (a city model's building stands at its own heights: its block is not seated on the DEM)
      scanBucket(job.workDir, leaf, (e) => blocks.add(e.anchorX, e.anchorY, e.minX, e.minY, e.maxX, e.maxY, e.height, e.minHeight, grid && !e.stands ? boxGround(grid, e.minX, e.minY, e.maxX, e.maxY) : NaN));
    ({ batch: sub, ground: g } = blocks.toBatch(store.frame, !!grid));
  } else {
    sub = reader.batch(leaves.flatMap((leaf) => bucketRefs(job.workDir, leaf)));
    const rise = grid && !node.children.length ? new Float64Array(sub.params.length) : undefined;
    g = grid ? groundElevations(sub, grid, job.base, rise) : undefined;
    // (in its leaf only, where each building stands once: coarser tiles draw it again as a box; a resumed
    // tile's buildings are not counted again)
    if (rise) {
      countClimbedOver(sub, rise, job.base, summary);
      // (tiles-said-no-building-off-the-dem: build warned of them, tiles did not)
      outside = countOffData(sub, grid!, job.terrain!.label, summary).outside;
    }
    if (node.children.length) sub = boxedBatch(sub);
  }
  const mesh = buildMeshes(sub, { ground: g, ...(grid ? { terrain: grid } : {}), facades: node.children.length ? 'none' : (job.facades ?? 'none') }, summary);
  const tmesh = job.terrain && job.terrain.mesh !== false ? tileTerrain({ grid: grid!, maxError: job.terrain.maxError }, node) : undefined;
  // (the summary's triangles are every tile's, terrain included, as build's count its terrain)
  if (tmesh) summary.triangles += tmesh.indices.length / 3;
  const imagery = job.imageryDir ? readTileTexture(job.imageryDir, node) : undefined;
  const rows = drawnRows(sub.params, mesh.tops!, node.children.length ? undefined : g, outside);
  // (coarse-tile-of-348-draws: a coarse tile's positions need no finer step than a small share of its own error; at
  // the leaves' 2 cm the SF root's 2,957 blocks were cut into 174 chunks, 348 draw calls, where 8 did the next level)
  const step = Math.max(GLTF_DEFAULTS.maxQuantizationStep, geometricError(node) / 1024);
  const glb = await writeGlb(mesh, rows, store.frame, { compress: job.compress, terrain: tmesh, imagery, copyright: job.copyright, maxQuantizationStep: step, texturedSkirts: (ax, ay, bx, by) => sharedSide(node, job.rootSquare, ax, ay, bx, by) });
  const b: Box3 = box3Of(mesh.positions);
  // the buildings' own box, before the terrain's (a viewer frames the buildings, not the terrain margin)
  const buildingBounds = mesh.positions.length ? (b.slice() as Box3) : undefined;
  if (tmesh) box3Of(tmesh.positions, b);
  // imagery without a terrain lies on a ground plane over the tile's square
  else if (imagery) box3Of(new Float32Array([imagery.minX, imagery.minY, 0, imagery.maxX, imagery.maxY, 0]), b);
  const parts = sub.params.reduce((n, q) => n + (q.partOf ? 1 : 0), 0);
  return { glb, buildings: sub.params.length, parts, record: { id: node.id, bounds: b, ...(buildingBounds ? { buildingBounds } : {}), buildings: node.count, triangles: mesh.indices.length / 3 + (tmesh ? tmesh.indices.length / 3 : 0), bytes: glb.byteLength, ...(node.children.length ? {} : { parts, stats: columnStats(rows), find: findEntries(sub, mesh) }) } };
}

/** Each building of a leaf for the find index: its id, name and the centre of its top (the box of its vertices, frame metres, mm). */
function findEntries(sub: FeatureBatch, mesh: { positions: Float32Array; featureIds: Uint32Array }): NonNullable<TileRecord['find']> {
  const n = sub.params.length;
  const box = new Float64Array(6 * n).fill(NaN);
  const p = mesh.positions;
  for (let v = 0; v < mesh.featureIds.length; v++) {
    const f = mesh.featureIds[v];
    if (f >= n) continue;
    const o = 6 * f;
    for (let a = 0; a < 3; a++) {
      const c = p[3 * v + a];
      if (!(box[o + a] <= c)) box[o + a] = c;
      if (!(box[o + 3 + a] >= c)) box[o + 3 + a] = c;
    }
  }
  const mm = (v: number) => Math.round(v * 1000) / 1000;
  const out: NonNullable<TileRecord['find']> = [];
  sub.params.forEach((q, f) => {
    const o = 6 * f;
    if (Number.isNaN(box[o])) return;
    // (its height and size: a viewer frames the whole building, search-flew-into-a-large-building)
    const [dx, dy, dz] = [box[o + 3] - box[o], box[o + 4] - box[o + 1], box[o + 5] - box[o + 2]];
    // (tileset-find-missed-ref: the GLB view found a building by its `ref`, the tileset's index had ids and names only)
    const refs: string[] = [];
    for (const [k, v] of Object.entries(q.attributes ?? {})) if (k !== 'id' && v !== null && v !== undefined && v !== '' && REFERENCE_ATTRIBUTE.test(k)) refs.push(String(v));
    const entry: NonNullable<TileRecord['find']>[number] = [q.id, q.name ?? '', mm((box[o] + box[o + 3]) / 2), mm((box[o + 1] + box[o + 4]) / 2), mm(box[o + 5]), mm(dz), mm(Math.hypot(dx, dy, dz))];
    if (refs.length) entry.push(refs);
    out.push(entry);
  });
  return out;
}

/** ", N already complete (resumed)" when a run kept tiles an earlier one wrote; nothing on a fresh run (fresh-run-said-resumed). */
export function resumedNote(skipped: number): string {
  return skipped ? `, ${skipped} already complete (resumed)` : '';
}

/** Bytes of a tile record read to find its `bytes` (it follows the id, bounds and counts). */
const RECORD_HEAD = 4096;

/**
 * Whether tile `id` of the tileset in `dir` is complete: its content and its record both written, the
 * content of the size the record gives (a rerun keeps it; damaged-tile-kept: a root tile cut to 100
 * bytes was kept on resume, and merged).
 */
export function tileComplete(dir: string, id: string): boolean {
  const rec = path.join(dir, 'tiles', `${id}.json`), glb = path.join(dir, 'tiles', `${id}.glb`);
  let fd: number | null = null;
  try {
    // (the record's head only: `bytes` comes before a leaf's find entries, which may run to megabytes)
    fd = fs.openSync(rec, 'r');
    const head = Buffer.alloc(RECORD_HEAD);
    const n = fs.readSync(fd, head, 0, RECORD_HEAD, 0);
    const m = /"bytes":(\d+)[,}]/.exec(head.toString('utf8', 0, n));
    return m !== null && fs.statSync(glb).size === Number(m[1]);
  } catch {
    return false;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/**
 * Count a complete tile kept by a rerun into `summary`, as its record says: its bytes and triangles
 * (resumed-run-said-0-bytes: the summary is of the tileset; the log line says how many tiles were resumed) and the
 * warnings building it counted (resumed-run-said-fewer-warnings: named only by the run that built it).
 */
export function countKeptTile(dir: string, id: string, summary: Summary): void {
  try {
    const r = JSON.parse(fs.readFileSync(path.join(dir, 'tiles', `${id}.json`), 'utf8')) as { bytes?: unknown; triangles?: unknown; warnings?: Record<string, unknown> };
    if (typeof r.bytes === 'number') summary.bytes += r.bytes;
    if (typeof r.triangles === 'number') summary.triangles += r.triangles;
    if (r.warnings && typeof r.warnings === 'object') for (const [k, v] of Object.entries(r.warnings)) if (typeof v === 'number') summary.warnings.set(k, (summary.warnings.get(k) ?? 0) + v);
  } catch {
    // a damaged record: merge names it
  }
}

/**
 * Build the tiles of `units` into `job.dir`, each written atomically (content, then its record,
 * which marks it complete) as soon as it is built. Tiles already complete are skipped unless
 * `force`: a killed run resumes.
 */
export async function buildTiles(job: TileJob, units: TileNode[], logger: Logger, summary: Summary, onTile?: (done: number, total: number, kept: boolean) => void): Promise<{ built: number; skipped: number }> {
  let built = 0, skipped = 0;
  const reader = new StoreReader(job.store);
  try {
    for (const [k, node] of units.entries()) {
      const glbPath = path.join(job.dir, 'tiles', `${node.id}.glb`);
      const recPath = path.join(job.dir, 'tiles', `${node.id}.json`);
      const kept = !job.force && tileComplete(job.dir, node.id);
      if (kept) {
        skipped++;
        countKeptTile(job.dir, node.id, summary);
      } else {
        const before = new Map(summary.warnings);
        const { glb, record, buildings, parts } = await buildTileContent(reader, node, job, summary);
        const counted = [...summary.warnings].filter(([k, v]) => v > (before.get(k) ?? 0)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        if (counted.length) record.warnings = Object.fromEntries(counted.map(([k, v]) => [k, v - (before.get(k) ?? 0)]));
        writeFileAtomic(glbPath, glb);
        writeFileAtomic(recPath, JSON.stringify(record) + '\n');
        summary.bytes += glb.byteLength;
        // each building is in exactly one leaf: the leaves built are the buildings this run wrote (a
        // shard's summary said 0: shard-summary-said-0-buildings)
        if (!node.children.length) {
          summary.buildingsWritten += buildings;
          summary.partsWritten += parts;
        }
        built++;
      }
      onTile?.(k + 1, units.length, kept);
    }
  } finally {
    reader.close();
  }
  logger.info(`tiles: ${built} built${resumedNote(skipped)}`);
  return { built, skipped };
}

/** The DEM grid of a tiles run and the error bound of its leaf tiles' terrain. */
export interface TileTerrain {
  grid: ElevationGrid;
  maxError: number;
  /** The DEM as the log names it (the buildings outside its data are named with it). */
  label: string;
  /** `false`: the buildings are seated on the DEM, and no ground is written (`--no-ground-mesh`). */
  mesh?: boolean;
}

/**
 * Largest error (m) of a coarse tile's terrain mesh: a looser bound let the ground rise over the
 * buildings and blocks of the same tile (they stand on the DEM itself), hiding them.
 */
const COARSE_TERRAIN_ERROR = 2;

/**
 * The terrain of one tile: the DEM resampled over the tile's square (129 samples a side for leaves, 65
 * above) and meshed by RTIN, with a bound that grows with the tile's geometric error. Every sample along
 * the tile's border is kept, so neighbours of the same level share their edge exactly (tile-seams: the
 * edges were simplified differently on either side, leaving cracks that showed the skirts as dashed
 * lines, and steps); skirts still cover where a coarser neighbour meets a finer one.
 */
export function tileTerrain(t: Omit<TileTerrain, 'label'>, node: TileNode): TerrainMesh {
  const floor = skirtFloor(t.grid);
  const n = node.children.length ? 65 : 129;
  const cell = node.size / (n - 1);
  const heights = new Float32Array(n * n);
  const valid = t.grid.valid ? new Uint8Array(n * n) : undefined;
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) {
      const x = node.minX + i * cell, y = node.minY + j * cell;
      heights[j * n + i] = sampleGrid(t.grid, x, y);
      if (valid) valid[j * n + i] = sampleValid(t.grid, x, y) ? 1 : 0;
    }
  const mesh = terrainMesh({ x0: node.minX, y0: node.minY, cell, n, heights, valid }, { maxError: Math.max(t.maxError, Math.min(geometricError(node) / 4, COARSE_TERRAIN_ERROR)), fullBorder: true, floor });
  // normals from the DEM around each vertex, across the tile's edge too: a tile's own grid has only
  // one-sided differences at its border, which its neighbour's differ from (a shading line along every edge)
  const p = mesh.positions, nm = mesh.normals;
  for (let v = 0; v < p.length / 3; v++) {
    const x = p[3 * v], y = p[3 * v + 1];
    const hx = (sampleGrid(t.grid, x + cell, y) - sampleGrid(t.grid, x - cell, y)) / (2 * cell);
    const hy = (sampleGrid(t.grid, x, y + cell) - sampleGrid(t.grid, x, y - cell)) / (2 * cell);
    if (!Number.isFinite(hx) || !Number.isFinite(hy) || nm[3 * v + 2] <= 0) continue; // skirts keep theirs
    const l = Math.hypot(hx, hy, 1);
    nm[3 * v] = -hx / l;
    nm[3 * v + 1] = -hy / l;
    nm[3 * v + 2] = 1 / l;
  }
  return mesh;
}

const floors = new WeakMap<ElevationGrid, number>();

/**
 * The height every tile's terrain skirts hang down to: 5 m below the DEM's lowest sample, the same for
 * every tile (each tile's own lowest sample made the plinth along the terrain's edge step from tile to tile).
 */
function skirtFloor(g: ElevationGrid): number {
  let floor = floors.get(g);
  if (floor === undefined) {
    let low = Infinity;
    for (let i = 0; i < g.heights.length; i++) if ((!g.valid || g.valid[i]) && g.heights[i] < low) low = g.heights[i];
    floor = (Number.isFinite(low) ? low : 0) - 5;
    floors.set(g, floor);
  }
  return floor;
}

/** A JSON file, parsed; an InputError naming it when it is not JSON. */
function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError('merge', `${file}: not ${what} (${(e as Error).message}); damaged? build it again`);
  }
}

/** Read a plan.json. */
export function readPlan(dir: string): TilePlan {
  const file = path.join(dir, 'plan.json');
  if (!fs.existsSync(file)) throw new InputError('merge', `${dir}: no plan.json (not a cityforge tiles output)`);
  const plan = readJson(file, 'a cityforge plan.json') as TilePlan;
  const nodeOk = (n: PlanNode, depth: number): boolean =>
    depth < 40 && typeof n?.id === 'string' && /^\d+\/\d+\/\d+$/.test(n.id) && Number.isFinite(n.size) && Array.isArray(n.children) && n.children.every((c) => nodeOk(c, depth + 1));
  if (typeof plan?.fingerprint !== 'string' || !plan.frame || !Array.isArray(plan.frame.enuToEcef) || !nodeOk(plan.tree, 0)) throw new InputError('merge', `${file}: not a cityforge plan.json (damaged?); build the tiles again`);
  return plan;
}

/** Remove what a tiles run writes in `dir` (its tiles, find index, tileset.json and plan), nothing else; `stage` names who fails. */
export function clearTileset(stage: string, dir: string): void {
  try {
    for (const name of ['tileset.json', 'plan.json', 'find', 'tiles']) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  } catch (e) {
    throw outputErrorOf(stage, dir, e);
  }
}

/** What in `dir` is another tileset than the one of `plan` (said as the rest of a sentence), or null. */
function otherTileset(dir: string, plan: TilePlan): string | null {
  if (fs.existsSync(path.join(dir, 'plan.json'))) {
    let before: TilePlan;
    try {
      before = readPlan(dir);
    } catch {
      return 'holds a plan.json that is not a cityforge plan';
    }
    if (before.fingerprint === plan.fingerprint) return null;
    const differs = madeFromDiffers(before.madeFrom, plan.madeFrom);
    return `holds a tileset of other inputs or options${differs.length ? ` (${differs.join('; ')})` : ''}`;
  }
  return fs.existsSync(path.join(dir, 'tileset.json')) ? 'holds a tileset.json of another build (no cityforge plan.json beside it)' : null;
}

/**
 * Assemble tileset.json from the tiles of one or more output folders of the same plan (shards): tiles
 * found in other folders are copied into `out`. Throws when a tile is missing or the plans differ, and
 * (an {@link OutputError}) when `out` holds a tileset of other inputs or options, unless `force`: then that
 * tileset's files (tiles, find index, plan, tileset.json) are removed first.
 */
export function mergeTiles(dirs: string[], out: string, logger: Logger, force = false): { tiles: number } {
  const plans = dirs.map(readPlan);
  const plan = plans[0];
  for (const [k, p] of plans.entries())
    if (p.fingerprint !== plan.fingerprint) {
      // (merge-said-only-hashes: "plan 17ed… ≠ 358c…", where tiles names the option)
      const differs = madeFromDiffers(plan.madeFrom, p.madeFrom);
      throw new InputError('merge', `${dirs[k]}: built from other inputs or options than ${dirs[0]} (${differs.length ? differs.join('; ') : `plan ${p.fingerprint} ≠ ${plan.fingerprint}`})`);
    }
  const records = new Map<string, TileRecord>();
  const recordFiles = new Map<string, string>();
  const nodes = allTiles(plan.tree);
  // every tile found and its record read before anything is written: a merge refused (a shard missing
  // or damaged) leaves no partial output behind (merge-refused-left-a-partial-folder)
  const from = new Map<string, string>();
  for (const n of nodes) {
    const d = dirs.find((k) => fs.existsSync(path.join(k, 'tiles', `${n.id}.json`)) && fs.existsSync(path.join(k, 'tiles', `${n.id}.glb`)));
    if (d === undefined) throw new InputError('merge', `tile ${n.id} is missing from ${dirs.join(', ')} (a shard did not finish?)`);
    const rec = path.join(d, 'tiles', `${n.id}.json`);
    const r = readJson(rec, 'a tile record') as TileRecord;
    if (!Array.isArray(r?.bounds) || r.bounds.length !== 6 || !r.bounds.every(Number.isFinite)) throw new InputError('merge', `${rec}: not a tile record (damaged?); build tile ${n.id} again (tiles --units, or --force)`);
    const size = fs.statSync(path.join(d, 'tiles', `${n.id}.glb`)).size;
    if (size !== r.bytes) throw new InputError('merge', `${path.join(d, 'tiles', `${n.id}.glb`)}: ${size.toLocaleString('en-US')} bytes where its record says ${Number(r.bytes).toLocaleString('en-US')} (damaged?); build tile ${n.id} again (run the same tiles command again: it rebuilds it)`);
    // (a leaf's find entries are read again when the find index is written: all of them at once
    // would hold every building of the city)
    if (r.find) recordFiles.set(n.id, rec);
    delete r.find;
    records.set(n.id, r);
    from.set(n.id, d);
  }
  // merge-overwrote-another-tileset: merged into a folder holding another build's tileset, its plan and
  // tileset.json were replaced and its tiles overwritten or left unreferenced, exit 0; refused as `tiles` refuses
  if (!dirs.some((d) => path.resolve(d) === path.resolve(out))) {
    const other = otherTileset(out, plan);
    if (other && !force) throw new OutputError('merge', `${out} ${other}; choose another folder, or --force to replace it`);
    if (other) clearTileset('merge', out);
  }
  // (merge-interrupted-left-a-partial-folder: into a folder holding nothing yet, what the merge writes is
  // temporary until tileset.json is there: Ctrl-C removes it)
  // (merge-killed-left-its-temporaries: what a merge killed with SIGKILL left half written goes, as tiles does)
  removeStaleTemporaries(out);
  const fresh = !dirs.some((d) => path.resolve(d) === path.resolve(out)) && (!fs.existsSync(out) || fs.readdirSync(out).length === 0);
  const written = fresh ? ['tiles', 'find', 'plan.json'].map((n) => path.join(out, n)) : [];
  for (const p of written) trackTemp(p, p.endsWith('.json') ? 'file' : 'dir');
  for (const [id, d] of from) {
    if (path.resolve(d) === path.resolve(out)) continue;
    writeFileAtomic(path.join(out, 'tiles', `${id}.glb`), fs.readFileSync(path.join(d, 'tiles', `${id}.glb`)));
    writeFileAtomic(path.join(out, 'tiles', `${id}.json`), fs.readFileSync(path.join(d, 'tiles', `${id}.json`)));
  }
  const toNode = (n: PlanNode): TileNode => ({ id: n.id, level: n.level, x: 0, y: 0, minX: 0, minY: 0, size: n.size, count: n.buildings, children: n.children.map(toNode) });
  if (path.resolve(dirs[0]) !== path.resolve(out)) writeFileAtomic(path.join(out, 'plan.json'), JSON.stringify(plan, null, 1) + '\n');
  // the find index: one file per bucket of ids and names (a viewer fetches the one a query falls in)
  const findOf = (leaf: string) => {
    const file = recordFiles.get(leaf);
    return file ? (readJson(file, 'a tile record') as TileRecord).find : undefined;
  };
  const buckets = writeFindIndex(toNode(plan.tree), findOf, out);
  writeFileAtomic(path.join(out, 'tileset.json'), tilesetJson(toNode(plan.tree), records, plan.frame, plan.copyright ?? '', buckets));
  for (const p of written) untrackTemp(p);
  // (the line `build` ends with: where the output is)
  logger.info(`wrote ${path.resolve(out, 'tileset.json')} (${counted(nodes.length, 'tile')})`);
  return { tiles: nodes.length };
}
