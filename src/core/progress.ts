/**
 * Progress reporting, as the stages see it; the CLI draws it (a bar on a TTY, plain lines otherwise).
 *
 * @example
 * ```ts
 * progress.update('reading features', 1000);
 * progress.update('building tiles', 3, 21);
 * progress.done();
 * ```
 */
export interface Progress {
  /** Report `done` of `total` (total unknown: undefined) for a stage. */
  update(stage: string, done: number, total?: number): void;
  /** The stage is over (clear a bar before other output). */
  done(): void;
}

/** A progress that reports nothing (the default for library calls). */
export const NULL_PROGRESS: Progress = { update() {}, done() {} };
