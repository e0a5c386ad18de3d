import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/logger.js';
import { Summary, type SummaryJSON } from '../core/summary.js';
import os from 'node:os';
import crypto from 'node:crypto';
import type { ElevationGrid } from '../core/grid.js';
import type { StoredFeatures } from '../ingest/store.js';
import { ingestToStore } from '../ingest/stream.js';
import { anchorsOf } from '../ingest/store.js';
import { partition, allTiles, type QuadGrid, type TileNode } from '../tiles/partition.js';
import { distribute } from '../tiles/buckets.js';
import { buildTiles, gridFile, makePlan, mergeTiles, readPlan, shardUnits, writeFileAtomic, writeGridFile, type TileJob } from '../tiles/build.js';
import { rasterExtentInFrame, readElevation } from '../ingest/raster.js';
import { NULL_LOGGER } from '../core/logger.js';
import { buildTilesInWorkers } from '../tiles/pool.js';
import { ingestOptionsOf, noBuildings, readTerrainFor, TERRAIN_MARGIN, type BuildCommandOptions } from './build.js';
import type { Progress } from './progress.js';

/** Options of `cityforge tiles`. */
export interface TilesCommandOptions extends Omit<BuildCommandOptions, 'output'> {
  output: string;
  maxBuildings: number;
  shard?: [number, number];
  /** A file of unit ids to build (one per line: `level/x/y`, or a JSON line of `cityforge plan`). */
  units?: string;
  jobs: number;
  force: boolean;
  /** Folder for the streamed features' spill file (default `<output>/.work`). */
  workDir?: string;
  /** A kept, shared feature store: `plan --store` builds it once, `tiles --store` reuse it without reading the inputs. */
  store?: string;
}

/** What a kept store folder holds besides its files (`store.json`, written last: it marks the store complete). */
interface SavedStore {
  version: 1;
  /** Of the inputs and the options the store depends on. */
  fingerprint: string;
  /** The store, its file paths relative to the folder. */
  store: StoredFeatures;
  /** The counts of the read that made it (read, skipped, warnings). */
  ingest: SummaryJSON;
}

/** What a store depends on: the inputs (path, size, mtime), the ingest options and the tile budget. */
function storeFingerprint(inputs: string[], o: TilesCommandOptions): string {
  const keys = ['layer', 'where', 'sSrs', 'levelHeight', 'defaultHeight', 'origin', 'maxBuildings'] as const;
  const of = { inputs: inputs.map(statOf), options: Object.fromEntries(keys.map((k) => [k, o[k] ?? null])) };
  return crypto.createHash('sha256').update(JSON.stringify(of)).digest('hex').slice(0, 16);
}

const statOf = (p: string) => {
  const s = fs.statSync(p);
  return [path.resolve(p), s.isDirectory() ? fs.readdirSync(p).length : s.size, Math.round(s.mtimeMs)];
};

/** The kept store in `dir` if it is complete and was made from these inputs and options: its files' paths resolved. */
function keptStore(dir: string, inputs: string[], o: TilesCommandOptions): { store: StoredFeatures; ingest: SummaryJSON } | 'missing' | 'other' {
  const file = path.join(dir, 'store.json');
  if (!fs.existsSync(file)) return 'missing';
  const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as SavedStore;
  if (saved.fingerprint !== storeFingerprint(inputs, o)) return 'other';
  return { store: { ...saved.store, file: path.join(dir, saved.store.file), rowsFile: path.join(dir, saved.store.rowsFile) }, ingest: saved.ingest };
}

/** Load a kept store; throws when it is missing or was made from other inputs or options. */
function loadStore(dir: string, inputs: string[], o: TilesCommandOptions): { store: StoredFeatures; ingest: SummaryJSON } {
  const kept = keptStore(dir, inputs, o);
  if (kept === 'missing') throw new Error(`cityforge: usage: --store ${dir}: no store there; make it first with cityforge plan <inputs...> --store ${dir}`);
  if (kept === 'other') throw new Error(`cityforge ingest: --store ${dir} was made from other inputs or options (--layer, --where, --s-srs, heights, --origin, --max-buildings); make it again with cityforge plan --store`);
  return kept;
}

/** What the plan depends on: the inputs (path, size, mtime) and the options that change the output (not -q, --json, --jobs, --shard). */
function fingerprint(inputs: string[], o: TilesCommandOptions) {
  const keys = ['layer', 'where', 'sSrs', 'levelHeight', 'defaultHeight', 'origin', 'terrainError', 'terrainResolution', 'zScale', 'base', 'maxBuildings', 'compress', 'terrainMaxSamples'] as const;
  const options = Object.fromEntries(keys.map((k) => [k, o[k] ?? null]));
  return { inputs: inputs.map(statOf), terrain: o.terrain ? statOf(o.terrain) : null, options };
}

/** Parse `i/N` (0 ≤ i < N). */
export function parseShard(v: string): [number, number] {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  if (!m || +m[2] < 1 || +m[1] >= +m[2]) throw new Error(`cityforge: usage: --shard takes i/N with 0 ≤ i < N (got ${v})`);
  return [+m[1], +m[2]];
}

/** Stream the inputs into a feature store in a private work folder; with `--terrain`, read the DEM over them. */
async function streamInputs(inputs: string[], o: TilesCommandOptions, workDir: string, logger: Logger, summary: Summary, progress: Progress): Promise<{ store: StoredFeatures; grid?: ElevationGrid }> {
  const store = await ingestToStore(inputs, { ...ingestOptionsOf(o, progress), workDir }, logger, summary);
  progress.done();
  if (store.count === 0) throw noBuildings(inputs, summary);
  logger.info(`read ${store.count} buildings into ${path.resolve(store.file)} (${(fs.statSync(store.file).size / 1e6).toFixed(1)} MB)`);
  const grid = o.terrain ? terrainOver(store, o, logger, summary) : undefined;
  return { store, grid };
}

/** The quadtree over a store's anchors (and its count grid). */
function storeTree(store: StoredFeatures, maxBuildings: number): { root: TileNode; grid: QuadGrid } {
  return partition(store.anchorExtent, (visit) => anchorsOf(store, visit), { maxBuildings });
}

/** The quadtree of a store, and its buildings sorted into their leaves' bucket files under `workDir`. */
function quadtree(store: StoredFeatures, maxBuildings: number, workDir: string): TileNode {
  const { root, grid } = storeTree(store, maxBuildings);
  distribute(store, root, grid, workDir);
  return root;
}

/** The `--terrain` DEM over a store's buildings (30 m around them). */
function terrainOver(store: StoredFeatures, o: TilesCommandOptions, logger: Logger, summary: Summary): ElevationGrid | undefined {
  const t = performance.now();
  const grid = readTerrainFor(store.extent, store.frame, o, logger, summary);
  summary.time('terrain', (performance.now() - t) / 1000);
  return grid;
}

/**
 * Where the run's one terrain grid is coarser than the raster (a large area under
 * `--terrain-max-samples`), every leaf tile of `units` gets its own DEM window at the raster's
 * resolution, written to `dir` (read in the main thread: GDAL loads in one thread only). Returns the
 * folder, or undefined when the run's grid is fine enough.
 */
function leafWindows(grid: ElevationGrid, units: TileNode[], store: StoredFeatures, o: TilesCommandOptions, dir: string, logger: Logger): string | undefined {
  const native = o.terrainResolution > 0 ? o.terrainResolution : Math.max(0.5, rasterExtentInFrame(o.terrain!, store.frame).resolution);
  if (grid.cell <= 1.5 * native) return undefined;
  fs.mkdirSync(dir, { recursive: true });
  let made = 0;
  for (const leaf of units.filter((n) => !n.children.length)) {
    const m = TERRAIN_MARGIN;
    try {
      const w = readElevation(o.terrain!, store.frame, { minX: leaf.minX - m, minY: leaf.minY - m, maxX: leaf.minX + leaf.size + m, maxY: leaf.minY + leaf.size + m }, { zScale: o.zScale, resolution: o.terrainResolution }, NULL_LOGGER, new Summary());
      writeGridFile(gridFile(dir, leaf), w);
      made++;
    } catch {
      // no raster data under this leaf: it stays on the run's grid
    }
  }
  logger.info(`terrain: the run's grid is ${grid.cell.toFixed(1)} m (${grid.n} samples a side, --terrain-max-samples); ${made} leaf tiles read their own DEM windows at about ${native.toFixed(1)} m`);
  return dir;
}

/** Whether process `pid` is running (on this machine). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A private work folder for this process (`<base>/<pid>`), and removal of those of dead processes. */
function workFolder(base: string): string {
  if (fs.existsSync(base))
    for (const name of fs.readdirSync(base)) {
      if (/^\d+$/.test(name) && !alive(Number(name))) fs.rmSync(path.join(base, name), { recursive: true, force: true });
    }
  return path.join(base, String(process.pid));
}

/**
 * `cityforge tiles`: a 3D Tiles 1.1 tileset. The inputs are streamed into an on-disk store (memory:
 * a fixed index per building), tiles are built from it one at a time and flushed as they complete.
 * With `--shard i/N` only that share of the tiles is built (and no tileset.json: `cityforge merge`
 * assembles it); with `--jobs N` N worker threads build the tiles. Byte-identical output whatever
 * the split.
 */
export async function runTiles(inputs: string[], o: TilesCommandOptions, logger: Logger, progress: Progress): Promise<Summary> {
  const summary = new Summary();
  const t0 = performance.now();
  fs.mkdirSync(o.output, { recursive: true });
  try {
    fs.accessSync(o.output, fs.constants.W_OK);
  } catch {
    throw new Error(`cityforge: cannot write ${o.output}: permission denied`);
  }
  removeStaleTemporaries(path.join(o.output, 'tiles'));
  // a kept store (plan --store) is reused as it is; otherwise the inputs stream into a private one
  const workDir = o.store ?? workFolder(o.workDir ?? path.join(o.output, '.work'));
  // private scratch (DEM windows): the work folder, or beside a kept store a folder of this process's own
  const scratch = o.store ? workFolder(path.join(o.output, '.work')) : workDir;
  try {
    let store: StoredFeatures;
    let grid: ElevationGrid | undefined;
    let root: TileNode;
    if (o.store) {
      const kept = loadStore(o.store, inputs, o);
      store = kept.store;
      summary.add(kept.ingest);
      summary.featuresRead = kept.ingest.featuresRead;
      summary.inputs.push(...kept.ingest.inputs);
      logger.info(`reusing the store in ${path.resolve(o.store)}: ${store.count} buildings (the inputs are not read again)`);
      grid = o.terrain ? terrainOver(store, o, logger, summary) : undefined;
      ({ root } = storeTree(store, o.maxBuildings));
    } else {
      ({ store, grid } = await streamInputs(inputs, o, workDir, logger, summary, progress));
      root = quadtree(store, o.maxBuildings, workDir);
    }
    const plan = makePlan(root, store.frame, fingerprint(inputs, o));
    const planFile = path.join(o.output, 'plan.json');
    if (fs.existsSync(planFile) && !o.force) {
      const old = readPlan(o.output);
      if (old.fingerprint !== plan.fingerprint) throw new Error(`cityforge ingest: ${o.output} holds tiles of other inputs or options; use --force to rebuild, or another folder`);
    }
    writeFileAtomic(planFile, JSON.stringify(plan, null, 1) + '\n');
    const units = o.units ? listedUnits(root, o.units) : o.shard ? shardUnits(root, o.shard) : allTiles(root);
    const t1 = performance.now();
    const demDir = grid ? leafWindows(grid, units, store, o, path.join(scratch, 'dem'), logger) : undefined;
    const job: TileJob = { store, workDir, demDir, dir: o.output, force: o.force, compress: !!o.compress, terrain: grid ? { grid, maxError: o.terrainError } : undefined, base: o.base };
    if (o.jobs > 1 && units.length > 1) {
      let done = 0;
      const jobs = Math.min(o.jobs, units.length);
      const r = await buildTilesInWorkers(jobs, job, units, () => progress.update('building tiles', ++done, units.length));
      for (const s of r.summaries) summary.add(s);
      logger.info(`tiles: ${r.built} built, ${r.skipped} already complete (resumed), ${jobs} worker threads`);
    } else {
      await buildTiles(job, units, logger, summary, (d, total) => progress.update('building tiles', d, total));
    }
    progress.done();
    summary.time('tiles', (performance.now() - t1) / 1000);
    const partial = o.units || (o.shard && o.shard[1] > 1);
    summary.buildingsWritten = partial ? 0 : store.count;
    if (!partial) mergeTiles([o.output], o.output, logger);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
    if (!o.workDir)
      try {
        fs.rmdirSync(path.dirname(scratch)); // only when empty: shards sharing the folder keep theirs
      } catch {
        // another shard's work folder is still there
      }
  }
  summary.time('total', (performance.now() - t0) / 1000);
  return summary;
}

/** `cityforge plan`: the independent work units (tiles), one JSON line each. */
export async function runPlan(inputs: string[], o: TilesCommandOptions, logger: Logger, progress: Progress): Promise<string[]> {
  const summary = new Summary();
  const units = (root: TileNode) => allTiles(root).map((n, k) => JSON.stringify({ unit: n.id, index: k, level: n.level, buildings: n.count, leaf: n.children.length === 0 }));
  if (o.store) {
    // make (or remake) a kept store that tiles --store runs reuse without reading the inputs
    const dir = o.store;
    const done = path.join(dir, 'store.json');
    const kept = keptStore(dir, inputs, o);
    if (typeof kept === 'object') return units(storeTree(kept.store, o.maxBuildings).root);
    if (fs.existsSync(dir) && fs.readdirSync(dir).length && !fs.existsSync(done) && !fs.existsSync(path.join(dir, 'rows.bin')))
      throw new Error(`cityforge: usage: --store ${dir}: a folder with other things in it; give an empty or new folder`);
    fs.rmSync(dir, { recursive: true, force: true });
    const { store } = await streamInputs(inputs, { ...o, terrain: undefined }, dir, logger, summary, progress);
    const root = quadtree(store, o.maxBuildings, dir);
    const saved: SavedStore = { version: 1, fingerprint: storeFingerprint(inputs, o), store: { ...store, file: path.relative(dir, store.file), rowsFile: path.relative(dir, store.rowsFile) }, ingest: summary.toJSON() };
    writeFileAtomic(done, JSON.stringify(saved) + '\n');
    return units(root);
  }
  const base = o.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cityforge-plan-'));
  const workDir = workFolder(base);
  try {
    const { store } = await streamInputs(inputs, { ...o, terrain: undefined }, workDir, logger, summary, progress);
    return units(storeTree(store, o.maxBuildings).root);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
    if (!o.workDir) fs.rmSync(base, { recursive: true, force: true });
  }
}

/** The tiles named in a units file (ids or `cityforge plan` lines), in tree order; an unknown id is a usage error. */
function listedUnits(root: TileNode, file: string): TileNode[] {
  if (!fs.existsSync(file)) throw new Error(`cityforge: usage: --units ${file}: no such file`);
  const wanted = new Set<string>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const t = line.trim();
    if (!t) continue;
    let id = t;
    if (t.startsWith('{')) {
      try {
        id = String((JSON.parse(t) as { unit?: unknown }).unit);
      } catch {
        throw new Error(`cityforge: usage: --units ${file}: not a unit id or a plan line: ${t}`);
      }
    }
    wanted.add(id);
  }
  const all = allTiles(root);
  const known = new Set(all.map((n) => n.id));
  for (const id of wanted) if (!known.has(id)) throw new Error(`cityforge: usage: --units ${file}: ${id} is not a unit of this plan (see cityforge plan)`);
  return all.filter((n) => wanted.has(n.id));
}

/** Remove temporary files left by killed runs (their writer process is gone); a live shard's are kept. */
function removeStaleTemporaries(dir: string): void {
  if (!fs.existsSync(dir)) return;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const m = /\.tmp-(\d+)$/.exec(e.name);
        if (m && !alive(Number(m[1]))) fs.rmSync(p, { force: true });
      }
    }
  };
  walk(dir);
}
