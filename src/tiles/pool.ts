import { Worker } from 'node:worker_threads';
import { CityforgeError, type ErrorKind } from '../core/errors.js';
import type { SummaryJSON } from '../core/summary.js';
import { NULL_LOGGER, type Logger } from '../core/logger.js';
import type { TileJob } from './build.js';
import type { TileNode } from './partition.js';
import { WORKER_RESOURCE_LIMITS } from '../io/worker-heap.js';

/** What a tile worker is given: the job (its DEM grid in shared memory, not copied) and its units. */
export interface TileWorkerData {
  job: TileJob;
  units: TileNode[];
  /** Name every skip and warning (`-v`): the worker sends them as log lines. */
  verbose: boolean;
}

/** A worker's report. */
export type TileWorkerMessage = { type: 'tile'; kept: boolean } | { type: 'log'; line: string } | { type: 'done'; built: number; skipped: number; summary: SummaryJSON } | { type: 'failed'; kind: ErrorKind; stage: string; message: string };

/** The job with its DEM grid's heights moved into shared memory: every worker reads the one copy. */
function shared(job: TileJob): TileJob {
  if (!job.terrain) return job;
  const h = job.terrain.grid.heights;
  if (h.buffer instanceof SharedArrayBuffer) return job;
  const heights = new Float32Array(new SharedArrayBuffer(h.byteLength));
  heights.set(h);
  return { ...job, terrain: { ...job.terrain, grid: { ...job.terrain.grid, heights } } };
}

/**
 * Build `units` with `jobs` worker threads over one streamed store: unit k goes to worker k mod jobs;
 * each worker reads its tiles' buildings from the spill file itself (the store is files; the DEM grid
 * is shared memory). Each tile's bytes depend only on its own buildings, so the output is the same
 * for any `jobs`. The first worker to fail stops the others.
 */
export async function buildTilesInWorkers(jobs: number, job: TileJob, units: TileNode[], onTile: (kept: boolean) => void, logger: Logger = NULL_LOGGER): Promise<{ built: number; skipped: number; summaries: SummaryJSON[] }> {
  const url = new URL('./worker.js', import.meta.url);
  const common = shared(job);
  const workers: Worker[] = [];
  try {
    const results = await Promise.all(
      Array.from({ length: jobs }, (_, i) =>
        new Promise<{ built: number; skipped: number; summary: SummaryJSON }>((resolve, reject) => {
          const workerData: TileWorkerData = { job: common, units: units.filter((_, k) => k % jobs === i), verbose: logger.level === 'debug' };
          const w = new Worker(url, { workerData, resourceLimits: WORKER_RESOURCE_LIMITS });
          workers.push(w);
          let finished = false;
          w.on('message', (m: TileWorkerMessage) => {
            if (m.type === 'tile') onTile(m.kept);
            else if (m.type === 'log') logger.debug(m.line);
            else if (m.type === 'failed') {
              finished = true;
              reject(new CityforgeError(m.kind, m.stage, m.message.replace(/^cityforge [^:]*: /, '')));
            } else {
              finished = true;
              resolve(m);
            }
          });
          w.on('error', reject);
          w.on('exit', (code) => {
            if (!finished) reject(new Error(`cityforge tiles: tile worker ${i} stopped (exit ${code})`));
          });
        }),
      ),
    );
    return { built: results.reduce((a, r) => a + r.built, 0), skipped: results.reduce((a, r) => a + r.skipped, 0), summaries: results.map((r) => r.summary) };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
