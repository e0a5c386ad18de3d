import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OutputError, outputErrorOf } from '../core/errors.js';
import { trackTemp, untrackTemp } from '../core/temp.js';

/**
 * Output files written atomically, and private work folders: what every writer of the pipeline uses
 * so that a killed or failed run never leaves a half file that looks whole, nor its scratch behind.
 *
 * @example
 * ```ts
 * const out = new AtomicOutput('city.glb');  // fails now if the folder cannot be written
 * try { out.commit(await makeBytes()); } catch (e) { out.abort(); throw e; }
 * writeFileAtomic('tiles/0/0/0.glb', bytes);
 * ```
 */

/**
 * Where this process runs: its host and PID namespace. Runs on several hosts (or in several containers)
 * may share an output folder; a process of another place is not this one's to judge alive or dead
 * (shards-swept-each-other: a shard on a second host took the first's work folder for a killed run's
 * and removed it; two containers, both pid 1, shared one).
 */
export const PLACE = placeOf();

/** This process's tag in temporary names and work folders: `<pid>@<place>`. */
export const PROCESS_TAG = `${process.pid}@${PLACE}`;

function placeOf(): string {
  const host = os.hostname().replace(/[^A-Za-z0-9.-]/g, '_') || 'host';
  try {
    const ns = /\[(\d+)\]/.exec(fs.readlinkSync('/proc/self/ns/pid'))?.[1];
    return ns ? `${host}.${ns}` : host;
  } catch {
    return host;
  }
}

/** The temporary name of `file` for this process. */
export function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${PROCESS_TAG}`);
}

/** Whether process `pid` is running (on this machine). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the writer of a temporary name's tag (`<pid>@<place>`, or a bare `<pid>` of older runs) may
 * still be running: one of another host or namespace is taken to be.
 */
export function aliveTag(tag: string): boolean {
  const m = /^(\d+)(?:@(.+))?$/.exec(tag);
  if (!m) return true;
  if (m[2] !== undefined && m[2] !== PLACE) return true;
  return alive(Number(m[1]));
}

/** A temporary name's writer tag (`.x.glb.tmp-<tag>`, `x.tmp-<tag>`). */
const TEMP_TAG = /\.tmp-(\d+(?:@[A-Za-z0-9._-]+)?)$/;

/** Remove the temporary files of dead processes (`kill -9`) in `dir`, for `file` only when given. */
export function removeDeadTemporaries(dir: string, file?: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const t = TEMP_TAG.exec(name);
    if (!t) continue;
    const base = name.slice(name.startsWith('.') ? 1 : 0, t.index);
    if (file && base !== path.basename(file)) continue;
    if (!aliveTag(t[1])) fs.rmSync(path.join(dir, name), { force: true });
  }
}

/**
 * An output file written atomically: bytes go to a temporary name beside the target and are
 * renamed over it only when complete. The temporary file is created at once, so an unwritable
 * folder fails before any work is done; temporaries of killed runs (dead processes) are removed.
 */
export class AtomicOutput {
  readonly target: string;
  readonly temp: string;
  private fd: number | null;

  constructor(target: string, stage = 'output') {
    this.target = path.resolve(target);
    this.temp = tempName(this.target);
    const dir = path.dirname(this.target);
    if (fs.existsSync(this.target) && fs.statSync(this.target).isDirectory()) throw new OutputError(stage, `cannot write ${target}: it is a folder`);
    removeDeadTemporaries(dir, this.target);
    try {
      this.fd = fs.openSync(this.temp, 'w');
    } catch (e) {
      // (a folder that is there but takes no new files, as /proc, also says ENOENT: proc-said-no-folder)
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && fs.existsSync(dir)) throw new OutputError(stage, `cannot write ${target}: the folder ${dir} takes no new files`, { cause: e });
      throw outputErrorOf(stage, target, e);
    }
    trackTemp(this.temp, 'file');
  }

  /** Write all bytes, fsync, and rename over the target. */
  commit(bytes: Uint8Array): void {
    if (this.fd === null) throw new Error('cityforge: output already closed');
    try {
      let done = 0;
      while (done < bytes.byteLength) done += fs.writeSync(this.fd, bytes, done, bytes.byteLength - done);
      fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      this.fd = null;
      fs.renameSync(this.temp, this.target);
    } catch (e) {
      this.abort();
      throw outputErrorOf('output', this.target, e);
    }
    untrackTemp(this.temp);
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
    untrackTemp(this.temp);
  }
}

/**
 * Make folder `dir` and any missing folders above it, one at a time. Node 20's `fs.mkdirSync(dir, {
 * recursive: true })` never returns when a folder above takes no new ones (`/proc/x`: mkdir says
 * ENOENT there, and it tries the parent again and again): `tiles -o /proc/x` spun a core and no
 * signal stopped it. Here that is the ENOENT of the folder that could not be made.
 *
 * @example
 * ```ts
 * makeDirs('out/tiles/12'); // out/, out/tiles/, out/tiles/12/ as needed
 * ```
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) {
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d);
    } catch (e) {
      // (made meanwhile by another process: a shard, a tile worker)
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.statSync(d).isDirectory()) throw e;
    }
  }
}

/** Write bytes to `file` (its folder made) and flush them to the disk. */
function writeSynced(file: string, bytes: Uint8Array | string): void {
  makeDirs(path.dirname(file));
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeFileSync(fd, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Write bytes to `file` through a temporary name in the same folder, renamed when complete. */
export function writeFileAtomic(file: string, bytes: Uint8Array | string): void {
  const tmp = `${file}.tmp-${PROCESS_TAG}`;
  try {
    writeSynced(tmp, bytes);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw outputErrorOf('output', file, e);
  }
}

/**
 * Write `file` atomically only if it does not exist yet (a hard link of a complete temporary file: two
 * processes racing for it, one wins). Returns whether this call made it.
 */
export function createFileAtomic(file: string, bytes: Uint8Array | string): boolean {
  const tmp = `${file}.tmp-${PROCESS_TAG}`;
  try {
    writeSynced(tmp, bytes);
    try {
      fs.linkSync(tmp, file);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      // a file system without hard links (some network mounts): created unless there, not atomically
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EXDEV') throw e;
      if (fs.existsSync(file)) return false;
      fs.renameSync(tmp, file);
      return true;
    }
  } catch (e) {
    throw outputErrorOf('output', file, e);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Remove the temporary files (`*.tmp-<tag>`) below `dir` whose writer's tag is chosen by `which`. */
export function removeTemporaries(dir: string, which: (tag: string) => boolean): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) removeTemporaries(p, which);
    else {
      const m = TEMP_TAG.exec(e.name);
      if (m && which(m[1])) fs.rmSync(p, { force: true });
    }
  }
}

/** Remove temporary files left below `dir` by killed runs (their writer process is gone); a live shard's are kept. */
export function removeStaleTemporaries(dir: string): void {
  removeTemporaries(dir, (tag) => !aliveTag(tag));
}

/**
 * A folder to make whole beside `dir` (`<dir>.tmp-<pid>@<place>`, registered as temporary) and move into
 * its place with {@link moveIntoPlace} when complete; such folders of dead runs (`kill -9`) beside `dir`
 * are removed first. Readers of `dir` never see it half made (store-wiped-by-a-second-plan: a plan started
 * while another was writing the store emptied the folder under it).
 *
 * @example
 * ```ts
 * const side = sideFolder('store');
 * writeEverything(side);
 * moveIntoPlace(side, 'store');
 * ```
 */
export function sideFolder(dir: string): string {
  const target = path.resolve(dir);
  const parent = path.dirname(target), base = `${path.basename(target)}.`;
  let names: string[] = [];
  try {
    names = fs.readdirSync(parent);
  } catch {
    // no parent folder yet: nothing left beside it
  }
  for (const name of names) {
    const t = TEMP_TAG.exec(name);
    if (t && name.startsWith(base) && !aliveTag(t[1])) fs.rmSync(path.join(parent, name), { recursive: true, force: true });
  }
  const side = `${target}.tmp-${PROCESS_TAG}`;
  fs.rmSync(side, { recursive: true, force: true });
  trackTemp(side, 'dir');
  return side;
}

/** Move folder `side` ({@link sideFolder}) into the place of `dir`, replacing what is there (moved aside, then removed). */
export function moveIntoPlace(side: string, dir: string): void {
  const target = path.resolve(dir);
  const old = `${target}.old.tmp-${PROCESS_TAG}`;
  trackTemp(old, 'dir');
  let aside = false;
  try {
    if (fs.existsSync(target)) (fs.renameSync(target, old), (aside = true));
    fs.renameSync(side, target);
  } catch (e) {
    // (what was there goes back where it was: a failed move loses nothing; if it cannot, it stays at its side name)
    if (aside && !fs.existsSync(target))
      try {
        fs.renameSync(old, target);
      } catch {
        // kept as it is
      }
    untrackTemp(old);
    throw outputErrorOf('output', dir, e);
  }
  fs.rmSync(old, { recursive: true, force: true });
  untrackTemp(old);
  untrackTemp(side);
}

/**
 * A private work folder for this process (`<base>/<pid>@<place>`), registered as temporary; the folders of
 * dead processes under `base` are removed first.
 */
export function workFolder(base: string): string {
  try {
    removeDeadWorkFolders(base);
  } catch (e) {
    throw outputErrorOf('output', base, e);
  }
  const dir = path.join(base, PROCESS_TAG);
  trackTemp(dir, 'dir');
  return dir;
}

/** The work folders in `base` of processes no longer running (`kill -9`). */
function removeDeadWorkFolders(base: string): void {
  if (!fs.existsSync(base)) return;
  for (const name of fs.readdirSync(base)) if (/^\d+(@.+)?$/.test(name) && !aliveTag(name)) fs.rmSync(path.join(base, name), { recursive: true, force: true });
}

/**
 * The outermost folder of `dir` that does not exist yet (`dir` itself, or one of its parents), or null when
 * `dir` exists: what a run that makes `dir` makes, and removes again ({@link removeMadeFolders}).
 */
export function missingFolder(dir: string): string | null {
  let d = path.resolve(dir);
  if (fs.existsSync(d)) return null;
  while (!fs.existsSync(path.dirname(d)) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
}

/**
 * Remove `dir` and its parents up to `top` (from {@link missingFolder}), each only when empty
 * (work-dir-left-behind: `--work-dir wd/inner`, made by the run, stayed after it).
 */
export function removeMadeFolders(dir: string, top: string | null): void {
  if (top === null) return;
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    try {
      fs.rmdirSync(d);
    } catch {
      return; // not empty (another shard's work), or gone
    }
    if (d === top || path.dirname(d) === d) return;
  }
}

/**
 * Remove a work folder made by {@link workFolder} (and `base` when it is left empty and `removeBase`).
 * Those of dead processes go too (killed-run-work-left-behind: a run started at once after a `kill -9`
 * found the killed process still exiting, and kept its work folder to the end).
 */
export function removeWorkFolder(dir: string, removeBase: boolean): void {
  fs.rmSync(dir, { recursive: true, force: true });
  untrackTemp(dir);
  try {
    removeDeadWorkFolders(path.dirname(dir));
  } catch {
    // what cannot be removed now, the next run removes
  }
  if (removeBase)
    try {
      fs.rmdirSync(path.dirname(dir)); // only when empty: shards sharing the folder keep theirs
    } catch {
      // another shard's work folder is still there
    }
}
