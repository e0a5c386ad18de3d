import { parentPort, workerData } from 'node:worker_threads';
import { asOutputError, CityforgeError, exitCodeOf } from '../core/errors.js';
import { createLineLogger } from '../core/logger.js';
import { onTempChange, type TempChange } from '../core/temp.js';
import { COMMANDS } from './commands/index.js';
import { logLevelOf, type CommandIO } from './command.js';
import type { EarlyJob } from './early.js';

/**
 * The job worker: runs one command (everything that reads data) off the main thread, which stays free
 * to answer Ctrl-C and SIGTERM at once. Everything it prints and every temporary path it owns goes to
 * the main thread as messages ({@link JobMessage}).
 */

/** What the main thread gives the job worker. */
export interface JobData {
  command: string;
  args: unknown[];
  opts: Record<string, unknown>;
}

/** What the job worker tells the main thread. */
export type JobMessage =
  | { t: 'log'; line: string }
  | { t: 'stdout'; text: string }
  | { t: 'stderr'; text: string }
  | { t: 'progress'; stage: string; done: number; total?: number }
  | { t: 'progress-done' }
  | ({ t: 'temp' } & TempChange)
  | { t: 'done' }
  | { t: 'error'; code: number; message: string; stack?: string };

// an early worker (started before the command line was parsed: early.ts) loads its command's pipeline
// while it waits for the job
const given = workerData as JobData | EarlyJob;
const { command, args, opts }: JobData =
  'early' in given
    ? await new Promise<JobData>((resolve) => {
        parentPort!.once('message', resolve);
        COMMANDS.find((c) => c.name === given.early)?.preload?.().catch(() => {});
      })
    : given;
const post = (m: JobMessage) => parentPort!.postMessage(m);
onTempChange((c) => post({ t: 'temp', ...c }));
const spec = COMMANDS.find((c) => c.name === command)!;
const io: CommandIO = {
  logger: createLineLogger(logLevelOf(spec, opts), (line) => post({ t: 'log', line })),
  progress: { update: (stage, done, total) => post({ t: 'progress', stage, done, total }), done: () => post({ t: 'progress-done' }) },
  stdout: (text) => post({ t: 'stdout', text }),
  stderr: (text) => post({ t: 'stderr', text }),
};
try {
  await spec.run(args, opts, io);
  post({ t: 'done' });
} catch (caught) {
  const e = asOutputError(command, caught);
  const err = e as Error;
  post({ t: 'error', code: exitCodeOf(e), message: err?.message ?? String(e), stack: e instanceof CityforgeError ? undefined : err?.stack });
}
