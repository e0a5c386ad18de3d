/**
 * Typed errors: the type of an error, never its text, picks the exit code. Messages read
 * `cityforge <stage>: <file> layer <l> feature <id>: <what>` (as much of the path as applies).
 *
 * @example
 * ```ts
 * throw new InputError('ingest', `${file} layer ${layer}: no such layer (layers: osm)`);
 * // → "cityforge ingest: tiles.mbtiles layer building: no such layer (layers: osm)", exit 3
 * ```
 */

/** What an error is about; each kind has its exit code ({@link EXIT}). */
export type ErrorKind = 'usage' | 'input' | 'output' | 'interrupted' | 'internal';

/** Exit codes of the `cityforge` command. */
export const EXIT = { ok: 0, internal: 1, usage: 2, input: 3, output: 4, hangup: 129, interrupted: 130, quit: 131, terminated: 143 } as const;

/** An error cityforge expected and can explain: its kind picks the exit code; no stack trace is shown. */
export class CityforgeError extends Error {
  /** The stage or command that found it (`ingest`, `tiles`, `build`, …). */
  readonly stage: string;
  readonly kind: ErrorKind;
  /** What is wrong, without the `cityforge <stage>: ` prefix. */
  readonly what: string;

  constructor(kind: ErrorKind, stage: string, what: string, options?: { cause?: unknown }) {
    super(`cityforge ${stage}: ${what}`, options);
    this.kind = kind;
    this.stage = stage;
    this.what = what;
    this.name = new.target.name;
  }
}

/** A bad option or argument (exit 2). */
export class UsageError extends CityforgeError {
  constructor(stage: string, what: string, options?: { cause?: unknown }) {
    super('usage', stage, what, options);
  }
}

/** A missing, unreadable, broken or unsuitable input (exit 3). */
export class InputError extends CityforgeError {
  constructor(stage: string, what: string, options?: { cause?: unknown }) {
    super('input', stage, what, options);
  }
}

/** An output that cannot be written: folder missing, not writable, disk full, a file in the way (exit 4). */
export class OutputError extends CityforgeError {
  constructor(stage: string, what: string, options?: { cause?: unknown }) {
    super('output', stage, what, options);
  }
}

/** The run was stopped by a signal (exit 130 for SIGINT, 143 for SIGTERM). */
export class InterruptedError extends CityforgeError {
  constructor(readonly signal: 'SIGINT' | 'SIGTERM' = 'SIGINT') {
    super('interrupted', 'run', `interrupted by ${signal}`);
  }
}

/** File-system error codes that mean "the output cannot be written here". */
const OUTPUT_ERRNO = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'ENOTDIR', 'EISDIR', 'EEXIST', 'ENOENT']);

/** Whether `e` is a Node file-system error. */
export function errnoOf(e: unknown): string | undefined {
  const code = (e as NodeJSErrnoLike | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

interface NodeJSErrnoLike {
  code?: unknown;
}

/**
 * An {@link OutputError} for a failed write of `file` (with the reason in words), or `e` itself when
 * it is not a file-system error.
 */
export function outputErrorOf(stage: string, file: string, e: unknown): unknown {
  const code = errnoOf(e);
  if (e instanceof CityforgeError || !code || !OUTPUT_ERRNO.has(code)) return e;
  return new OutputError(stage, `cannot write ${file}: ${reasonOf(code, (e as Error).message)}`, { cause: e });
}

/** A few words for a file-system error code. */
export function reasonOf(code: string | undefined, fallback: string): string {
  switch (code) {
    case 'ENOENT': return 'the folder does not exist';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOSPC': return 'no space left on the device';
    case 'EDQUOT': return 'disk quota exceeded';
    case 'EROFS': return 'read-only file system';
    case 'ENOTDIR': return 'a file is where a folder should be';
    case 'EISDIR': return 'a folder is where the file should be';
    case 'EEXIST': return 'something is already there';
    default: return fallback;
  }
}

/**
 * An {@link InputError} naming `what` (a file, a layer, a tile) for an unexpected error while reading
 * it — a broken file must stop the run with its name, never with a stack trace; a CityforgeError
 * passes unchanged.
 */
export function inputErrorOf(stage: string, what: string, e: unknown): CityforgeError {
  if (e instanceof CityforgeError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new InputError(stage, `${what}: ${msg.replace(/\s+/g, ' ').trim() || 'unreadable'}`, { cause: e });
}

const WRITE_CALLS = new Set(['open', 'mkdir', 'write', 'rename', 'copyfile', 'cp', 'rmdir', 'unlink', 'rm', 'fsync', 'symlink', 'link', 'utime', 'chmod', 'ftruncate']);

/**
 * A file-system error from a write (it carries `syscall` and `path`) as an {@link OutputError}
 * naming the path in words; any other error unchanged. Every command's errors pass through it, so
 * no write refusal ever shows as a stack trace.
 */
export function asOutputError(stage: string, e: unknown): unknown {
  if (e instanceof CityforgeError) return e;
  const x = e as { syscall?: unknown; path?: unknown; code?: unknown; message?: string } | null;
  const code = errnoOf(e);
  if (!code || typeof x?.path !== 'string' || !WRITE_CALLS.has(String(x.syscall))) return e;
  // `open` also reads: only the refusals that can only mean a write count
  if (x.syscall === 'open' && !['EROFS', 'ENOSPC', 'EDQUOT', 'EISDIR', 'ENOTDIR', 'EEXIST'].includes(code)) return e;
  return outputErrorOf(stage, x.path, e);
}

/** The exit code for an error. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof InterruptedError) return e.signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
  if (e instanceof CityforgeError) return EXIT[e.kind];
  // the file system refused a write (full disk, quota, read-only, permissions, a file where a folder goes)
  const code = errnoOf(e);
  if (code && code !== 'ENOENT' && code !== 'EEXIST' && OUTPUT_ERRNO.has(code)) return EXIT.output;
  return EXIT.internal;
}

/** An input error that names a temporary file (a tile mosaic), reworded to name what it was made from. */
export function namingSource(e: unknown, file: string, source: string): unknown {
  return e instanceof InputError && e.what.includes(file) ? new InputError(e.stage, e.what.split(file).join(source)) : e;
}
