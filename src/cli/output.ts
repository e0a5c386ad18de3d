import fs from 'node:fs';
import path from 'node:path';

/**
 * An output file written atomically: bytes go to a temporary name beside the target and are
 * renamed over it only when complete, so a killed run never leaves a half file that looks whole.
 */
export class AtomicOutput {
  readonly target: string;
  readonly temp: string;
  private fd: number | null;

  /** Create the temporary file now, so an unwritable folder fails before any work is done. */
  constructor(target: string) {
    this.target = path.resolve(target);
    this.temp = path.join(path.dirname(this.target), `.${path.basename(this.target)}.tmp-${process.pid}`);
    try {
      this.fd = fs.openSync(this.temp, 'wx');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new OutputError(`cityforge: cannot write ${target}: ${err.code === 'ENOENT' ? 'the folder does not exist' : err.code === 'EACCES' ? 'permission denied' : err.message}`);
    }
    ACTIVE.add(this);
  }

  /** Write all bytes, fsync, and rename over the target. */
  commit(bytes: Uint8Array): void {
    if (this.fd === null) throw new Error('cityforge: output already closed');
    fs.writeSync(this.fd, bytes);
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = null;
    fs.renameSync(this.temp, this.target);
    ACTIVE.delete(this);
  }

  /** Remove the temporary file (on error or interrupt). */
  abort(): void {
    if (this.fd !== null) {
      try {
        fs.closeSync(this.fd);
      } catch {
        /* already closed */
      }
      this.fd = null;
    }
    fs.rmSync(this.temp, { force: true });
    ACTIVE.delete(this);
  }
}

/** An error about the output (exit code 4). */
export class OutputError extends Error {}

const ACTIVE = new Set<AtomicOutput>();

/** Remove every temporary output still open (called on SIGINT/SIGTERM and fatal errors). */
export function abortAllOutputs(): void {
  for (const o of [...ACTIVE]) o.abort();
}
