import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/logger.js';
import { Summary } from '../core/summary.js';
import os from 'node:os';
import type { ElevationGrid } from '../core/grid.js';
import { INGEST_DEFAULTS } from '../ingest/index.js';
import type { StoredFeatures } from '../ingest/store.js';
import { anchorsOf, ingestToStore } from '../ingest/stream.js';
import { partition, allTiles, type TileNode } from '../tiles/partition.js';
import { distribute } from '../tiles/buckets.js';
import { buildTiles, makePlan, mergeTiles, readPlan, shardUnits, writeFileAtomic, type TileJob } from '../tiles/build.js';
import { buildTilesInWorkers } from '../tiles/pool.js';
import { readTerrainFor, type BuildCommandOptions } from './build.js';
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
}

/** What the plan depends on: the inputs (path, size, mtime) and the options that change the output (not -q, --json, --jobs, --shard). */
function fingerprint(inputs: string[], o: TilesCommandOptions) {
  const stat = (p: string) => {
    const s = fs.statSync(p);
    return [path.resolve(p), s.isDirectory() ? fs.readdirSync(p).length : s.size, Math.round(s.mtimeMs)];
  };
  const keys = ['layer', 'where', 'sSrs', 'levelHeight', 'defaultHeight', 'origin', 'terrainError', 'terrainResolution', 'zScale', 'base', 'maxBuildings', 'compress'] as const;
  const options = Object.fromEntries(keys.map((k) => [k, o[k] ?? null]));
  return { inputs: inputs.map(stat), terrain: o.terrain ? stat(o.terrain) : null, options };
}

/** Parse `i/N` (0 ≤ i < N). */
export function parseShard(v: string): [number, number] {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  if (!m || +m[2] < 1 || +m[1] >= +m[2]) throw new Error(`cityforge: usage: --shard takes i/N with 0 ≤ i < N (got ${v})`);
  return [+m[1], +m[2]];
}

/** Stream the inputs into a feature store in a private work folder; with `--terrain`, read the DEM over them. */
async function streamInputs(inputs: string[], o: TilesCommandOptions, workDir: string, logger: Logger, summary: Summary, progress: Progress): Promise<{ store: StoredFeatures; grid?: ElevationGrid }> {
  const store = await ingestToStore(
    inputs,
    {
      ...INGEST_DEFAULTS,
      layers: o.layer,
      where: o.where,
      sSrs: o.sSrs,
      levelHeight: o.levelHeight,
      defaultHeight: o.defaultHeight,
      origin: o.origin,
      workDir,
      onProgress: (n) => progress.update('reading features', n),
    },
    logger,
    summary,
  );
  progress.done();
  if (store.count === 0) throw new Error(`cityforge ingest: ${inputs.join(', ')}: no buildings left to build (${summary.skippedTotal} skipped; see the skip counts)`);
  logger.info(`read ${store.count} buildings into ${path.resolve(store.file)} (${(fs.statSync(store.file).size / 1e6).toFixed(1)} MB)`);
  let grid: ElevationGrid | undefined;
  if (o.terrain) {
    const t = performance.now();
    const e = store.extent;
    grid = readTerrainFor({ minX: e.minX - 30, minY: e.minY - 30, maxX: e.maxX + 30, maxY: e.maxY + 30 }, store.frame, o, logger, summary);
    summary.time('terrain', (performance.now() - t) / 1000);
  }
  return { store, grid };
}

/** The quadtree of a store, and its buildings sorted into their leaves' bucket files under `workDir`. */
function quadtree(store: StoredFeatures, maxBuildings: number, workDir: string): TileNode {
  const { root, grid } = partition(store.anchorExtent, (visit) => anchorsOf(store, visit), { maxBuildings });
  distribute(store, root, grid, workDir);
  return root;
}

/** A private work folder for this process (`<base>/<pid>`), and removal of those of dead processes. */
function workFolder(base: string): string {
  if (fs.existsSync(base))
    for (const name of fs.readdirSync(base)) {
      if (!/^\d+$/.test(name)) continue;
      try {
        process.kill(Number(name), 0);
      } catch {
        fs.rmSync(path.join(base, name), { recursive: true, force: true });
      }
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
  const workDir = workFolder(o.workDir ?? path.join(o.output, '.work'));
  try {
    const { store, grid } = await streamInputs(inputs, o, workDir, logger, summary, progress);
    const root = quadtree(store, o.maxBuildings, workDir);
    const plan = makePlan(root, store.frame, fingerprint(inputs, o));
    const planFile = path.join(o.output, 'plan.json');
    if (fs.existsSync(planFile) && !o.force) {
      const old = readPlan(o.output);
      if (old.fingerprint !== plan.fingerprint) throw new Error(`cityforge ingest: ${o.output} holds tiles of other inputs or options; use --force to rebuild, or another folder`);
    }
    writeFileAtomic(planFile, JSON.stringify(plan, null, 1) + '\n');
    const units = o.units ? listedUnits(root, o.units) : o.shard ? shardUnits(root, o.shard) : allTiles(root);
    const t1 = performance.now();
    const job: TileJob = { store, workDir, dir: o.output, force: o.force, compress: !!o.compress, terrain: grid ? { grid, maxError: o.terrainError } : undefined, base: o.base };
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
    fs.rmSync(workDir, { recursive: true, force: true });
    if (!o.workDir)
      try {
        fs.rmdirSync(path.dirname(workDir)); // only when empty: shards sharing the folder keep theirs
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
  const base = o.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cityforge-plan-'));
  const workDir = workFolder(base);
  try {
    const { store } = await streamInputs(inputs, { ...o, terrain: undefined }, workDir, logger, summary, progress);
    const { root } = partition(store.anchorExtent, (visit) => anchorsOf(store, visit), { maxBuildings: o.maxBuildings });
    return allTiles(root).map((n, k) => JSON.stringify({ unit: n.id, index: k, level: n.level, buildings: n.count, leaf: n.children.length === 0 }));
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
        if (!m) continue;
        try {
          process.kill(Number(m[1]), 0);
        } catch {
          fs.rmSync(p, { force: true });
        }
      }
    }
  };
  walk(dir);
}
