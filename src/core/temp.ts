/**
 * Temporary files and folders a run owns while it works (an output's temporary name, a work folder):
 * writers register them here, so that whoever handles Ctrl-C / SIGTERM — the CLI, in another thread —
 * can remove them before the process exits, and nothing is left behind.
 *
 * What is registered: `file` (removed), `dir` (removed with its contents), `sweep` (a folder in which
 * every file named `*.tmp-<pid>` of this process is removed: tile writers in worker threads), `process` (a child
 * process's id, in a process group of its own: the group is killed, as the run's fitting processes are).
 *
 * @example
 * ```ts
 * trackTemp(tmp, 'file');
 * try { write(tmp); fs.renameSync(tmp, target); } finally { untrackTemp(tmp); }
 * ```
 */

/** How a temporary path is removed. */
export type TempKind = 'file' | 'dir' | 'sweep' | 'process';

/** A change to the set of temporary paths. */
export interface TempChange {
  op: 'add' | 'remove';
  path: string;
  kind: TempKind;
}

const owned = new Map<string, TempKind>();
let listener: ((c: TempChange) => void) | null = null;

/** Register a temporary path of this run. */
export function trackTemp(path: string, kind: TempKind): void {
  owned.set(path, kind);
  listener?.({ op: 'add', path, kind });
}

/** The path is no longer temporary (renamed into place, or removed). */
export function untrackTemp(path: string): void {
  const kind = owned.get(path);
  if (kind === undefined) return;
  owned.delete(path);
  listener?.({ op: 'remove', path, kind });
}

/** The temporary paths registered in this thread. */
export function tempPaths(): [string, TempKind][] {
  return [...owned.entries()];
}

/** Forward every change (a worker thread tells the main thread, which handles signals). */
export function onTempChange(f: ((c: TempChange) => void) | null): void {
  listener = f;
}
