import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/logger.js';
import { Summary } from '../core/summary.js';
import { partition, allTiles } from '../tiles/partition.js';
import { buildTiles, makePlan, mergeTiles, readPlan, shardUnits, writeFileAtomic } from '../tiles/build.js';
import { buildTilesInWorkers } from '../tiles/pool.js';
import { prepare, type BuildCommandOptions } from './build.js';
import type { Progress } from './progress.js';

/** Options of `cityforge tiles`. */
export interface TilesCommandOptions extends Omit<BuildCommandOptions, 'output'> {
  output: string;
  maxBuildings: number;
  shard?: [number, number];
  jobs: number;
  force: boolean;
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

/**
 * `cityforge tiles`: a 3D Tiles 1.1 tileset. With `--shard i/N` only that share of the tiles is built
 * (and no tileset.json: `cityforge merge` assembles it); with `--jobs N` N worker threads build the
 * tiles of one ingest. Byte-identical output whatever the split.
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
  const { batch, ground, grid } = await prepare(inputs, o, logger, summary, progress, { mesh: false });
  const root = partition(batch, { maxBuildings: o.maxBuildings });
  const plan = makePlan(root, batch.frame, fingerprint(inputs, o));
  const planFile = path.join(o.output, 'plan.json');
  if (fs.existsSync(planFile) && !o.force) {
    const old = readPlan(o.output);
    if (old.fingerprint !== plan.fingerprint) throw new Error(`cityforge ingest: ${o.output} holds tiles of other inputs or options; use --force to rebuild, or another folder`);
  }
  writeFileAtomic(planFile, JSON.stringify(plan, null, 1) + '\n');
  const units = o.shard ? shardUnits(root, o.shard) : allTiles(root);
  const t1 = performance.now();
  const terrain = grid ? { grid, maxError: o.terrainError } : undefined;
  if (o.jobs > 1) {
    // worker threads over this one ingested batch
    let done = 0;
    const r = await buildTilesInWorkers(Math.min(o.jobs, units.length), { batch, units, dir: o.output, ground, force: o.force, compress: !!o.compress, terrain }, () => progress.update('building tiles', ++done, units.length));
    summary.bytes += r.bytes;
    logger.info(`tiles: ${r.built} built, ${r.skipped} already complete (resumed), ${o.jobs} worker threads`);
  } else {
    await buildTiles(batch, units, o.output, ground, o.force, logger, summary, (d, total) => progress.update('building tiles', d, total), !!o.compress, terrain);
  }
  progress.done();
  summary.time('tiles', (performance.now() - t1) / 1000);
  summary.buildingsWritten = o.shard ? 0 : batch.params.length;
  if (!o.shard || o.shard[1] === 1) mergeTiles([o.output], o.output, logger);
  summary.time('total', (performance.now() - t0) / 1000);
  return summary;
}

/** `cityforge plan`: the independent work units (tiles), one JSON line each. */
export async function runPlan(inputs: string[], o: TilesCommandOptions, logger: Logger, progress: Progress): Promise<string[]> {
  const summary = new Summary();
  const { batch } = await prepare(inputs, o, logger, summary, progress, { mesh: false });
  const root = partition(batch, { maxBuildings: o.maxBuildings });
  return allTiles(root).map((n, k) => JSON.stringify({ unit: n.id, index: k, level: n.level, buildings: n.buildings.length, leaf: n.children.length === 0 }));
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
