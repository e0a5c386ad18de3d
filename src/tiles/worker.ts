import { parentPort, workerData } from 'node:worker_threads';
import { NULL_LOGGER } from '../core/logger.js';
import { Summary } from '../core/summary.js';
import { buildTiles } from './build.js';
import type { TileWorkerData, TileWorkerMessage } from './pool.js';

/** Tile worker: builds its share of the tiles (see pool.ts) and reports each one. */
const d = workerData as TileWorkerData;
const summary = new Summary();
const post = (m: TileWorkerMessage) => parentPort!.postMessage(m);
const { built, skipped } = await buildTiles(d.job, d.units, NULL_LOGGER, summary, () => post({ type: 'tile' }));
post({ type: 'done', built, skipped, summary: summary.toJSON() });
