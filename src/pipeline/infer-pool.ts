import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CityforgeError, type ErrorKind } from '../core/errors.js';
import type { Footprint } from '../procedural/index.js';
import type { FitContext, FitResult } from './infer.js';

/** Buildings handed to a worker at a time (a large one with many parts can take a second; most take milliseconds). */
const CHUNK = 4;

/** What a fitting process is sent first: the context (its rasters copied once). */
export interface InferWorkerStart {
  ctx: FitContext;
}

/** One building sent to a worker: its index, name and polygons. */
export interface InferWorkItem {
  f: number;
  name: string;
  polygons: Footprint[];
}

/** A worker's message: ready for work, a chunk fitted, or failed. */
export type InferWorkerMessage = { type: 'ready' } | { type: 'fitted'; results: { f: number; fit: FitResult }[] } | { type: 'failed'; kind: ErrorKind | null; stage: string; message: string };

/**
 * Fit buildings `0 … n-1` in `jobs` processes (gdal-async, which the parts' polygons need, loads in
 * one thread of a process only; each process loads it in about 0.3 s): each asks for a few buildings at a time (a
 * shared queue: building sizes vary a thousandfold), and the results are put back in the buildings'
 * order, so the output is the same as one thread's. The first worker to fail stops the others.
 *
 * @example
 * ```ts
 * const fits = await fitInWorkers(2, ctx, batch.params.length, (f) => ({ name: `feature ${f}`, polygons: ownPolygons(batch, f) }), () => {});
 * ```
 */
export async function fitInWorkers(jobs: number, ctx: FitContext, n: number, itemOf: (f: number) => Omit<InferWorkItem, 'f'>, onProgress: (done: number) => void): Promise<FitResult[]> {
  const file = fileURLToPath(new URL('./infer-worker.js', import.meta.url));
  const out: (FitResult | undefined)[] = new Array(n);
  const children: ChildProcess[] = [];
  let next = 0, done = 0;
  try {
    await Promise.all(
      Array.from({ length: jobs }, (_, i) =>
        new Promise<void>((resolve, reject) => {
          // (its own messages only: typed arrays cross as they are; it ends when this process goes)
          const c = fork(file, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [] });
          children.push(c);
          let finished = false;
          const give = () => {
            if (next >= n) {
              finished = true;
              resolve();
              return;
            }
            const items: InferWorkItem[] = [];
            for (; next < n && items.length < CHUNK; next++) items.push({ f: next, ...itemOf(next) });
            c.send(items);
          };
          c.on('message', (m: InferWorkerMessage) => {
            if (m.type === 'failed') {
              finished = true;
              reject(m.kind ? new CityforgeError(m.kind, m.stage, m.message.replace(/^cityforge [^:]*: /, '')) : new Error(m.message));
              return;
            }
            if (m.type === 'fitted') {
              for (const r of m.results) out[r.f] = r.fit;
              done += m.results.length;
              onProgress(done);
            }
            give();
          });
          c.on('error', reject);
          c.on('exit', (code, signal) => {
            if (!finished) reject(new Error(`cityforge infer: fitting process ${i} stopped (${signal ?? `exit ${code}`})`));
          });
          c.send({ ctx } satisfies InferWorkerStart);
        }),
      ),
    );
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill();
  }
  return out.map((r, f) => {
    if (!r) throw new Error(`cityforge infer: building ${f} was not fitted`);
    return r;
  });
}
