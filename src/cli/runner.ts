import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { EXIT } from '../core/errors.js';
import { oneLine } from '../core/words.js';
import { tempPaths, type TempKind } from '../core/temp.js';
import { PROCESS_TAG, removeTemporaries, tempName } from '../io/files.js';
import type { JobData, JobMessage } from './job.js';
import { createProgress, drawsBar } from './progress.js';
import { WORKER_RESOURCE_LIMITS } from '../io/worker-heap.js';
import { takeEarlyWorker } from './early.js';

/** The folders work folders are made in (`workFolder`): removed with the last work folder in them. */
const WORK_BASES = new Set(['.work', '.find-spill']);

/** Temporary paths the job worker owns (told by messages), removed on a signal. */
const owned = new Map<string, TempKind>();
/** Folders the run makes for its output (kept apart: the same folder is often a temporary path's `sweep` too). */
const madeFolders = new Set<string>();

/**
 * Remove every temporary path of this process: the job worker's and this thread's own. With `forget`
 * false they stay known (a second pass after the worker stopped removes what it wrote meanwhile).
 */
export function removeOwnTemporaries(forget = true): void {
  const sweep = (d: string) => removeTemporaries(d, (tag) => tag === PROCESS_TAG);
  // (the folders made for the output last, deepest first: they go only once empty, after what the run
  // wrote in them)
  for (const [p, kind] of [...owned.entries(), ...tempPaths(), ...[...madeFolders].map((d) => [d, 'made-dir'] as const)]) {
    try {
      // (infer-jobs-outlived-the-run: after SIGTERM the fitting processes went on for up to a second, their
      // parent gone; each is the leader of its own group)
      if (kind === 'process') process.kill(-Number(p), 'SIGKILL');
      else if (kind === 'sweep') sweep(p);
      else if (kind === 'made-dir') fs.rmdirSync(p);
      else fs.rmSync(p, { recursive: kind === 'dir', force: true });
      // a work folder's base (`<output>/.work`, `<output>/.find-spill`) goes too when nothing else is in it
      // (find-spill-left-behind: interrupted while it wrote the find index, a tiles run left `.find-spill`)
      if (kind === 'dir' && WORK_BASES.has(path.basename(path.dirname(p)))) fs.rmdirSync(path.dirname(p));
    } catch {
      // best effort: the next run removes what belongs to dead processes
    }
  }
  if (forget) {
    owned.clear();
    madeFolders.clear();
  }
}

/**
 * The folders `dirs` and those above them that are missing now, remembered (deepest first) as folders the
 * run makes: a signal or an error removes them again while they are empty
 * (interrupted-at-once-left-an-empty-folder). Known here before the job worker makes them, as a folder
 * the worker reported could be made just before a signal, its report lost with the worker.
 */
export function ownMissingFolders(dirs: readonly string[]): void {
  for (const dir of dirs)
    for (let d = path.resolve(dir); !fs.existsSync(d) && path.dirname(d) !== d; d = path.dirname(d)) madeFolders.add(d);
}

/**
 * The temporary names of the files `files` (`build -o`), remembered as the run's: the job worker makes each
 * and reports it, but a signal that comes between the two would lose the report with the worker
 * (signal-left-the-temporary-output: SIGHUP just after the temporary GLB was made left it behind).
 */
export function ownOutputFiles(files: readonly string[]): void {
  for (const f of files) owned.set(tempName(path.resolve(f)), 'file');
}

/** The job worker of this run, while it runs. */
let current: Worker | null = null;
/** A signal arrived: the job worker is being stopped, and nothing it says is printed. */
let stopping = false;

/**
 * Stop the job worker (a signal arrived): resolves once it is terminated — it can no longer write
 * anything — or after `ms` (a long native call delays termination), whichever comes first.
 */
export function stopJob(ms = 1000): Promise<void> {
  const w = current;
  if (!w) return Promise.resolve();
  // (what the job says from now on is what the signal did to it — a fitting process gone, a pipe
  // closed — not news: the run says it was interrupted; interrupt-printed-the-job's-error)
  stopping = true;
  return Promise.race([w.terminate().then(() => undefined), new Promise<void>((r) => setTimeout(r, ms).unref())]);
}

/**
 * `--json` on a failed run: what a scheduler parsing stdout reads instead of the summary (the exit
 * code and the message also printed on stderr).
 */
export function jsonError(code: number, message: string): string {
  return JSON.stringify({ error: { exitCode: code, message: oneLine(message) } }, null, 2) + '\n';
}

/**
 * Run a command in the job worker thread; resolves to the exit code. Its log lines, progress and
 * output are printed here; its temporary paths are remembered so that a signal can remove them.
 */
export function runInWorker(data: JobData, o: { quiet?: boolean; json?: boolean }): Promise<number> {
  const progress = createProgress({ tty: drawsBar(process.stderr, process.env), interval: 5, write: (s) => process.stderr.write(s), quiet: !!o.quiet });
  // (the worker started before the command line was parsed, when there is one: it has been loading the pipeline)
  const early = takeEarlyWorker(data.command);
  const worker = early ?? new Worker(new URL('./job.js', import.meta.url), { workerData: data, resourceLimits: WORKER_RESOURCE_LIMITS });
  if (early) early.postMessage(data);
  current = worker;
  return new Promise<number>((resolve) => {
    let settled = false;
    const finish = (code: number) => {
      if (settled) return;
      settled = true;
      progress.done();
      current = null;
      void worker.terminate();
      resolve(code);
    };
    worker.on('message', (m: JobMessage) => {
      // (a temporary path it reports meanwhile is still remembered: the second pass removes it)
      if (stopping && m.t !== 'temp') return;
      switch (m.t) {
        case 'log':
          progress.done();
          process.stderr.write(m.line + '\n');
          break;
        case 'stderr':
          progress.done();
          process.stderr.write(m.text);
          break;
        case 'stdout':
          process.stdout.write(m.text);
          break;
        case 'progress':
          progress.update(m.stage, m.done, m.total);
          break;
        case 'progress-done':
          progress.done();
          break;
        case 'temp':
          if (m.op === 'add') owned.set(m.path, m.kind);
          else owned.delete(m.path);
          break;
        case 'done':
          finish(EXIT.ok);
          break;
        case 'error':
          progress.done();
          process.stderr.write(`error: ${oneLine(m.message)}\n`);
          if (m.stack) process.stderr.write(`${m.stack}\n(an internal error: please report it)\n`);
          if (o.json) process.stdout.write(jsonError(m.code, m.message));
          removeOwnTemporaries();
          finish(m.code);
          break;
      }
    });
    worker.on('error', (e) => {
      if (stopping) return;
      progress.done();
      process.stderr.write(`error: ${e.message}\n${e.stack ?? ''}\n(an internal error: please report it)\n`);
      if (o.json) process.stdout.write(jsonError(EXIT.internal, e.message));
      removeOwnTemporaries();
      finish(EXIT.internal);
    });
    worker.on('exit', (code) => {
      if (!settled) {
        removeOwnTemporaries();
        finish(code === 0 ? EXIT.internal : code);
      }
    });
  });
}
