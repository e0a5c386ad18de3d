import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CityforgeError, type ErrorKind } from '../core/errors.js';
import { trackTemp, untrackTemp } from '../core/temp.js';
import type { Footprint } from '../procedural/index.js';
import type { FitContext, FitResult } from './infer.js';

/**
 * A message to a fitting process holds buildings until it has this many, or this much footprint (m²): a
 * large building with many parts takes a second, most take milliseconds.
 */
const CHUNK = { buildings: 8, area: 1000 };

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
 * one thread of a process only; each process loads it in about 0.3 s): each asks for a few buildings at a time, the
 * largest first (a shared queue: building sizes vary a thousandfold), and the results are put back in the buildings'
 * order, so the output is the same as one thread's. The first worker to fail stops the others.
 *
 * @example
 * ```ts
 * const fits = await fitInWorkers(2, ctx, n, (f) => ({ name: `feature ${f}`, polygons: ownPolygons(batch, f) }), (f) => areaOf(f), () => {});
 * ```
 */
export async function fitInWorkers(jobs: number, ctx: FitContext, n: number, itemOf: (f: number) => Omit<InferWorkItem, 'f'>, areaOf: (f: number) => number, onProgress: (done: number) => void): Promise<FitResult[]> {
  const file = fileURLToPath(new URL('./infer-worker.js', import.meta.url));
  const out: (FitResult | undefined)[] = new Array(n);
  const children: ChildProcess[] = [];
  // the largest first (so that no large building is left for the end, one process fitting it while the
  // others wait); the results go back in the buildings' order whichever fitted them
  const area = Float64Array.from({ length: n }, (_, f) => areaOf(f));
  const order = Array.from({ length: n }, (_, f) => f).sort((a, b) => area[b] - area[a] || a - b);
  let next = 0, done = 0;
  try {
    await Promise.all(
      Array.from({ length: jobs }, (_, i) =>
        new Promise<void>((resolve, reject) => {
          // (its own messages only: typed arrays cross as they are; it ends when this process goes. Its own
          // process group: Ctrl-C, sent to the terminal's group, reaches the command only, which ends it —
          // a process still loading before it could ignore SIGINT died of it, and the command reported that
          // as a fault; infer-interrupted-with-jobs-printed-traces)
          const c = fork(file, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [], detached: true });
          children.push(c);
          // (killed with the run's temporary files on Ctrl-C / SIGTERM, not left to notice their parent gone)
          if (c.pid !== undefined) trackTemp(String(c.pid), 'process');
          let finished = false;
          const give = () => {
            if (next >= n) {
              finished = true;
              resolve();
              return;
            }
            const items: InferWorkItem[] = [];
            for (let sum = 0; next < n && items.length < CHUNK.buildings && sum < CHUNK.area; next++) {
              const f = order[next];
              items.push({ f, ...itemOf(f) });
              sum += area[f];
            }
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
            if (c.pid !== undefined) untrackTemp(String(c.pid));
            if (!finished) reject(new Error(`cityforge infer: fitting process ${i} stopped (${signal ?? `exit ${code}`})`));
          });
          c.send({ ctx } satisfies InferWorkerStart);
        }),
      ),
    );
  } finally {
    for (const c of children) {
      // (untracked first: a group id is not killed once its process may be gone and the id reused)
      if (c.pid !== undefined) untrackTemp(String(c.pid));
      if (c.exitCode === null && c.signalCode === null) c.kill();
    }
  }
  return out.map((r, f) => {
    if (!r) throw new Error(`cityforge infer: building ${f} was not fitted`);
    return r;
  });
}
