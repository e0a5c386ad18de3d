import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { OUT } from '../helpers/fixtures.js';
import { makeCorpus, type FuzzCase } from './corpus.js';

/** Longest a case may run before it counts as a hang (the largest seed builds in about a second). */
const HANG_MS = 90_000;

interface Outcome {
  name: string;
  code: number | null;
  signal: string | null;
  hung: boolean;
  ms: number;
  stderr: string;
  leftovers: string[];
}

/** Run one case through the CLI, into its own output folder. */
function run(c: FuzzCase, outDir: string): Promise<Outcome> {
  const out = path.join(outDir, c.name);
  fs.mkdirSync(out, { recursive: true });
  const args = c.command === 'merge' ? ['merge', c.file, '-o', c.file] : [c.command, c.file, '-o', path.join(out, 'out.glb'), ...(c.extra ?? [])];
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, HANG_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const leftovers = (fs.readdirSync(out, { recursive: true }) as string[]).filter((f) => /\.tmp-\d+(@[\w.-]+)?$/.test(f) || /(^|\/)\.work(\/|$)/.test(f));
      resolve({ name: c.name, code, signal: hung ? null : signal, hung, ms: performance.now() - t0, stderr, leftovers });
    });
  });
}

describe('fuzz corpus: truncations, bit flips, bombs and hostile values (generated, not committed)', () => {
  it('no crash (exit 1 or a signal), no hang, no leftovers; every failure exits 3 or 4 naming the file, with no stack trace', async () => {
    const dir = path.join(OUT, 'fuzz');
    const cases = makeCorpus(dir);
    const outDir = path.join(dir, 'out');
    const outcomes: Outcome[] = [];
    // two at a time (the machine has two cores)
    const queue = [...cases];
    await Promise.all([0, 1].map(async () => {
      for (let c = queue.shift(); c; c = queue.shift()) outcomes.push(await run(c, outDir));
    }));
    outcomes.sort((a, b) => (a.name < b.name ? -1 : 1));
    const byCode: Record<string, number> = {};
    for (const o of outcomes) byCode[o.hung ? 'hung' : o.signal ?? String(o.code)] = (byCode[o.hung ? 'hung' : o.signal ?? String(o.code)] ?? 0) + 1;
    const report = { cases: outcomes.length, byExitCode: byCode, slowestMs: Math.round(Math.max(...outcomes.map((o) => o.ms))), outcomes: outcomes.map(({ name, code, signal, hung, ms, leftovers, stderr }) => ({ name, code, signal, hung, ms: Math.round(ms), leftovers, error: stderr.split('\n').find((l) => l.startsWith('error:')) ?? null })) };
    fs.writeFileSync(path.join(dir, 'report.json'), JSON.stringify(report, null, 1));
    const bad = outcomes.filter((o) => o.hung || o.signal !== null || o.code === 1 || o.code === null || o.leftovers.length > 0 || /\n\s+at /.test(o.stderr) || (o.code !== 0 && ![3, 4].includes(o.code)));
    expect(bad.map((o) => `${o.name}: exit ${o.code} signal ${o.signal} hung ${o.hung} leftovers ${o.leftovers.join(',')}\n${o.stderr.slice(0, 400)}`)).toEqual([]);
    // every failure names its file (or its folder, for merge)
    for (const o of outcomes.filter((x) => x.code !== 0)) {
      const c = cases.find((k) => k.name === o.name)!;
      expect(o.stderr, o.name).toContain(path.basename(c.file));
    }
    expect(outcomes.length).toBeGreaterThan(100);
  }, 900_000);
});
