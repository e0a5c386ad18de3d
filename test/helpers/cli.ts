import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** The compiled CLI (scripts/test.sh builds it first). */
export const CLI = path.join(import.meta.dirname, '..', '..', 'bin', 'cityforge.js');

/** Run the CLI; returns exit code, stdout and stderr. */
export function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
