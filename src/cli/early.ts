import { Worker } from 'node:worker_threads';
import { WORKER_RESOURCE_LIMITS } from '../io/worker-heap.js';

/**
 * Starting the job worker before the command line is parsed. The main thread spends 0.15–0.2 s loading
 * commander and every command's definition before it knows what to run; the job worker then spends
 * 0.5 s loading the pipeline (GDAL). Started from `bin/cityforge.js` on the command's name alone, the
 * worker loads its modules on the other core meanwhile and waits for the job ({@link takeEarlyWorker}).
 * This module imports nothing heavy: it is loaded before everything else.
 */

/** The commands that run in the job worker (a test checks this against each command's `inWorker`). */
export const WORKER_COMMANDS: readonly string[] = ['build', 'terrain', 'tiles', 'plan', 'merge', 'infer', 'rasterize'];

/** What an early worker gets as `workerData`: its command's name, to load that command's pipeline while it waits. */
export interface EarlyJob {
  early: string;
}

let early: { worker: Worker; command: string; dead: boolean } | null = null;

/**
 * Start the job worker for `argv` (as `process.argv`) when its command runs in one and help is not
 * asked for. It keeps nothing alive (unref'd) until the job is posted.
 */
export function startJobWorkerEarly(argv: readonly string[]): void {
  const command = argv[2];
  if (!WORKER_COMMANDS.includes(command) || argv.slice(3).some((a) => a === '-h' || a === '--help')) return;
  const worker = new Worker(new URL('./job.js', import.meta.url), { workerData: { early: command } satisfies EarlyJob, resourceLimits: WORKER_RESOURCE_LIMITS });
  const entry = { worker, command, dead: false };
  // a worker that failed or ended before its job is not used: the job gets a fresh one, which reports why
  const dead = () => (entry.dead = true);
  worker.once('error', dead);
  worker.once('exit', dead);
  worker.unref();
  early = entry;
}

/**
 * The early worker, if one was started for `command` and still lives: it is handed over (kept alive
 * from now on) and waits for its job as a message. Otherwise null, and any early worker is stopped.
 */
export function takeEarlyWorker(command: string): Worker | null {
  const e = early;
  early = null;
  if (!e) return null;
  if (e.dead || e.command !== command) {
    void e.worker.terminate();
    return null;
  }
  e.worker.ref();
  return e.worker;
}

/** Stop an early worker that will not be used (help shown, a usage error, a command run here). */
export function dropEarlyWorker(): void {
  takeEarlyWorker('');
}
