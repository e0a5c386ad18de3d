import { CityforgeError } from '../core/errors.js';
import { fitBuilding, type FitContext } from './infer.js';
import type { InferWorkerMessage, InferWorkerStart, InferWorkItem } from './infer-pool.js';

/**
 * Fitting process (`infer --jobs`): given the context first, then fits the buildings it is sent, a few at
 * a time (see infer-pool.ts). It ends when the process that started it goes (its channel closes).
 */
// (once the command's process has gone — Ctrl-C reaches both — there is no one to tell: a send to a
// closed channel fails with EPIPE, told to the callback here rather than thrown as an unhandled error;
// infer-interrupted-with-jobs-printed-traces)
const post = (m: InferWorkerMessage) => {
  if (process.connected)
    process.send!(m, undefined, {}, (e) => {
      // (any other failure is a fault: this process ends, and the command says so)
      if (e && !['EPIPE', 'ECONNRESET', 'ERR_IPC_CHANNEL_CLOSED'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    });
};
let ctx: FitContext | null = null;
process.on('message', (m: InferWorkerStart | InferWorkItem[]) => {
  if (!Array.isArray(m)) {
    ctx = m.ctx;
    post({ type: 'ready' });
    return;
  }
  try {
    post({ type: 'fitted', results: m.map((it) => ({ f: it.f, fit: fitBuilding(it.polygons, it.name, ctx!) })) });
  } catch (e) {
    // keep the error's kind (input, output…) across the process boundary
    if (e instanceof CityforgeError) post({ type: 'failed', kind: e.kind, stage: e.stage, message: e.message });
    else post({ type: 'failed', kind: null, stage: 'infer', message: (e as Error).stack ?? String(e) });
  }
});
process.on('disconnect', () => process.exit(0));
// (it runs in its own process group, so Ctrl-C reaches the command only; a SIGINT sent to it all the same
// is left to the command's process, which answers it, and this one ends with it)
process.on('SIGINT', () => {});
