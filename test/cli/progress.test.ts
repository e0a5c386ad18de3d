import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgress, drawsBar } from '../../src/cli/progress.js';

/** Plain progress lines (not a TTY) against a clock the test moves. */
function run(steps: [number, number][], interval = 5): string[] {
  let t = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => t);
  const lines: string[] = [];
  const p = createProgress({ tty: false, interval, quiet: false, write: (s) => lines.push(s.trim()) });
  for (const [ms, done] of steps) {
    t = ms;
    p.update('meshing', done, 100);
  }
  return lines;
}

describe('plain progress lines', () => {
  afterEach(() => vi.restoreAllMocks());

  it('log-ended-at-0-of-N: a stage that showed a line also shows its end', () => {
    const lines = run([[0, 0], [6000, 40], [7000, 80], [8000, 100]]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^progress: meshing 40\/100 /);
    expect(lines[1]).toMatch(/^progress: meshing 100\/100 /);
  });

  it('rate-counted-the-stages-before: a stage\'s rate is its own count over its own time, not the run\'s', () => {
    let t = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => t);
    const lines: string[] = [];
    const p = createProgress({ tty: false, interval: 5, quiet: false, write: (s) => lines.push(s.trim()) });
    // 6 s of terrain, then 100 buildings meshed in 1 s
    p.update('terrain', 0);
    t = 6000;
    p.update('terrain', 1);
    p.update('building meshes', 0, 100);
    t = 12000;
    p.update('building meshes', 50, 100);
    t = 13000;
    p.update('building meshes', 100, 100);
    expect(lines.at(-1)).toBe('progress: building meshes 100/100 (14/s over 7.0 s; 13.0 s since the start)');
  });

  it('build-silent-for-long: in a run long enough to have written a line, a stage says so as it begins; in a short one, nothing', () => {
    let t = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => t);
    const lines: string[] = [];
    const p = createProgress({ tty: false, interval: 5, quiet: false, write: (s) => lines.push(s.trim()) });
    p.update('building meshes', 0, 100);
    t = 6000;
    p.update('building meshes', 60, 100);
    t = 7000;
    p.update('building meshes', 100, 100);
    // (the encoding then ran unsaid until the run's end)
    t = 7100;
    p.update('encoding', 0, 100);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^progress: encoding 0\/100 /);
    // and its end, as every stage that showed a line (log-ended-at-0-of-N)
    t = 7200;
    p.update('encoding', 100, 100);
    expect(lines).toHaveLength(4);
    // a stage with nothing to count says its name and the time
    t = 7300;
    p.update('writing tileset.json', 0);
    expect(lines[4]).toBe('progress: writing tileset.json (7.3 s since the start)');
    const short: string[] = [];
    const q = createProgress({ tty: false, interval: 5, quiet: false, write: (s) => short.push(s.trim()) });
    t = 8000;
    q.update('building meshes', 100, 100);
    q.update('encoding', 0, 100);
    expect(short).toEqual([]);
  });

  it('a stage shorter than the interval writes nothing', () => {
    expect(run([[0, 0], [1000, 50], [2000, 100]])).toEqual([]);
  });

  it('the first line waits one interval', () => {
    const lines = run([[0, 0], [5500, 0], [11000, 100]]);
    expect(lines[0]).toMatch(/meshing 0\/100/); // after the interval, even 0 is news
    expect(lines.at(-1)).toMatch(/meshing 100\/100/);
  });
});

describe('a bar or plain lines', () => {
  it('dumb-terminal-got-escapes: a terminal with TERM=dumb gets plain lines; a terminal otherwise a bar; no terminal, plain lines', () => {
    expect(drawsBar({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(drawsBar({ isTTY: true }, { TERM: 'xterm-256color' })).toBe(true);
    expect(drawsBar({ isTTY: true }, {})).toBe(true);
    expect(drawsBar({ isTTY: false }, { TERM: 'xterm' })).toBe(false);
    expect(drawsBar({}, {})).toBe(false);
  });
});
