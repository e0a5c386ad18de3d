import { Worker } from 'node:worker_threads';
import type { ElevationGrid } from '../core/grid.js';
import type { FeatureBatch } from '../core/types.js';
import type { TileNode } from './partition.js';

/** What a tile worker is given (structured-cloned once per worker). */
export interface TileWorkerData {
  batch: FeatureBatch;
  units: TileNode[];
  dir: string;
  ground?: Float64Array;
  force: boolean;
  compress: boolean;
  terrain?: { grid: ElevationGrid; maxError: number };
}

/** A worker's report. */
export type TileWorkerMessage = { type: 'tile' } | { type: 'done'; built: number; skipped: number; bytes: number };

/**
 * Build `units` with `jobs` worker threads over one ingested batch: unit k goes to worker k mod jobs.
 * Each tile's bytes depend only on its own buildings, so the output is the same for any `jobs`.
 */
export async function buildTilesInWorkers(jobs: number, data: Omit<TileWorkerData, 'units'> & { units: TileNode[] }, onTile: () => void): Promise<{ built: number; skipped: number; bytes: number }> {
  const url = new URL('./worker.js', import.meta.url);
  const results = await Promise.all(
    Array.from({ length: jobs }, (_, i) =>
      new Promise<{ built: number; skipped: number; bytes: number }>((resolve, reject) => {
        const workerData: TileWorkerData = { ...data, units: data.units.filter((_, k) => k % jobs === i) };
        const w = new Worker(url, { workerData });
        w.on('message', (m: TileWorkerMessage) => {
          if (m.type === 'tile') onTile();
          else resolve(m);
        });
        w.on('error', reject);
        w.on('exit', (code) => {
          if (code !== 0) reject(new Error(`cityforge: tile worker ${i} stopped (exit ${code})`));
        });
      }),
    ),
  );
  return results.reduce((a, r) => ({ built: a.built + r.built, skipped: a.skipped + r.skipped, bytes: a.bytes + r.bytes }), { built: 0, skipped: 0, bytes: 0 });
}
