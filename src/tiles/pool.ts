import { Worker } from 'node:worker_threads';
import type { SummaryJSON } from '../core/summary.js';
import type { TileJob } from './build.js';
import type { TileNode } from './partition.js';

/** What a tile worker is given: the job (its index arrays are shared memory, not copied) and its units. */
export interface TileWorkerData {
  job: TileJob;
  units: TileNode[];
}

/** A worker's report. */
export type TileWorkerMessage = { type: 'tile' } | { type: 'done'; built: number; skipped: number; summary: SummaryJSON };

/**
 * Build `units` with `jobs` worker threads over one streamed store: unit k goes to worker k mod jobs;
 * each worker reads its tiles' buildings from the spill file itself. Each tile's bytes depend only
 * on its own buildings, so the output is the same for any `jobs`.
 */
export async function buildTilesInWorkers(jobs: number, job: TileJob, units: TileNode[], onTile: () => void): Promise<{ built: number; skipped: number; summaries: SummaryJSON[] }> {
  const url = new URL('./worker.js', import.meta.url);
  const results = await Promise.all(
    Array.from({ length: jobs }, (_, i) =>
      new Promise<{ built: number; skipped: number; summary: SummaryJSON }>((resolve, reject) => {
        const workerData: TileWorkerData = { job, units: units.filter((_, k) => k % jobs === i) };
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
  return { built: results.reduce((a, r) => a + r.built, 0), skipped: results.reduce((a, r) => a + r.skipped, 0), summaries: results.map((r) => r.summary) };
}
