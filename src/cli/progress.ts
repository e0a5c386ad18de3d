/** Progress reporting: a redrawn bar on a TTY, plain periodic log lines otherwise (ssh, nohup, CI). */
export interface Progress {
  /** Report `done` of `total` (total unknown: undefined) for a stage. */
  update(stage: string, done: number, total?: number): void;
  /** Clear the bar (before other output). */
  done(): void;
}

/** Options for {@link createProgress}. */
export interface ProgressOptions {
  /** Draw a bar (true on a TTY). */
  tty: boolean;
  /** Seconds between plain log lines when not a TTY. */
  interval: number;
  /** Sink: stderr. */
  write: (s: string) => void;
  /** Quiet: report nothing. */
  quiet: boolean;
}

/**
 * Whether progress is a redrawn bar: on a terminal that takes cursor control. dumb-terminal-got-escapes: with
 * `TERM=dumb` (Emacs shells, some CI consoles) the bar's escape codes were printed as text; such a terminal gets
 * the plain lines.
 */
export function drawsBar(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return !!stream.isTTY && env['TERM'] !== 'dumb';
}

/** Make a {@link Progress} for the terminal or for logs. */
export function createProgress(options: ProgressOptions): Progress {
  const start = performance.now();
  let last = performance.now();
  let drawn = false;
  /** The stage a plain line was last written for (its end is then written too). */
  let shown: string | null = null;
  /** The stage being counted and when its count began (rate-counted-the-stages-before: a rate over the whole run's time). */
  let current: string | null = null;
  let stageStart = start;
  /** Whether a plain line was written (a long run: each stage it goes on to says so as it begins). */
  let wrote = false;
  return {
    update(stage, done, total) {
      if (options.quiet) return;
      const now = performance.now();
      const begins = stage !== current;
      if (begins) [current, stageStart] = [stage, now];
      const secs = (now - start) / 1000;
      const stageSecs = (now - stageStart) / 1000;
      const rate = stageSecs > 0 ? done / stageSecs : 0;
      if (options.tty) {
        if (now - last < 100 && !(total !== undefined && done >= total)) return;
        last = now;
        let line: string;
        if (total) {
          const f = Math.min(1, done / total);
          const w = 30;
          const fill = Math.round(f * w);
          const eta = rate > 0 ? (total - done) / rate : 0;
          line = `${stage} [${'#'.repeat(fill)}${'.'.repeat(w - fill)}] ${done}/${total} ${(f * 100).toFixed(0)}% ${rate.toFixed(0)}/s eta ${eta.toFixed(0)}s`;
        } else {
          line = done === 0 ? stage : `${stage} ${done} ${rate.toFixed(0)}/s`;
        }
        options.write(`\r\x1b[2K${line}`);
        drawn = true;
      } else {
        // a line every interval, and the last of a stage that showed one (a log must not end at 0/N)
        const finished = total !== undefined && done >= total;
        // (build-silent-for-long: after a stage's last line the next ran half a minute unsaid; in a run long
        // enough to have written a line, a stage says so as it begins)
        if (now - last < options.interval * 1000 && !(finished && shown === stage) && !(begins && wrote && !finished)) return;
        last = now;
        wrote = true;
        shown = finished ? null : stage;
        // the stage's own rate over its own time; the time since the run began (rate-read-against-the-run's-time:
        // "91459/s, 6.2 s" read as 120,798 in 6.2 s)
        // (a stage with nothing to count, as it begins: its name and the time)
        if (total === undefined && done === 0) options.write(`progress: ${stage} (${secs.toFixed(1)} s since the start)\n`);
        else options.write(`progress: ${stage} ${done}${total ? `/${total}` : ''} (${rate.toFixed(0)}/s over ${stageSecs.toFixed(1)} s; ${secs.toFixed(1)} s since the start)\n`);
      }
    },
    done() {
      if (drawn) options.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
