import { parentPort, workerData } from 'node:worker_threads';
import { CityforgeError } from '../core/errors.js';
import { NULL_LOGGER } from '../core/logger.js';
import { Summary } from '../core/summary.js';
import { buildTiles } from './build.js';
import type { TileWorkerData, TileWorkerMessage } from './pool.js';

/** Tile worker: builds its share of the tiles (see pool.ts) and reports each one. */
const d = workerData as TileWorkerData;
const post = (m: TileWorkerMessage) => parentPort!.postMessage(m);
const summary = new Summary(d.verbose ? { ...NULL_LOGGER, level: 'debug', debug: (line) => post({ type: 'log', line }) } : undefined);
try {
  const { built, skipped } = await buildTiles(d.job, d.units, NULL_LOGGER, summary, (_done, _total, kept) => post({ type: 'tile', kept }));
  post({ type: 'done', built, skipped, summary: summary.toJSON() });
} catch (e) {
  // keep the error's kind (input, output…) across the thread boundary
  if (e instanceof CityforgeError) post({ type: 'failed', kind: e.kind, stage: e.stage, message: e.message });
  else throw e;
}
