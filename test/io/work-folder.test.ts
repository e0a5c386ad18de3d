import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeWorkFolder, workFolder } from '../../src/io/files.js';
import { freshDir } from '../helpers/fixtures.js';

describe('work folders', () => {
  it('killed-run-work-left-behind: a dead process\'s work folder that appeared during a run goes at its end', () => {
    const base = path.join(freshDir('work-folder'), '.work');
    const mine = workFolder(base);
    fs.mkdirSync(mine, { recursive: true });
    // a process that has exited (as one killed with -9 just before this run began, still exiting then)
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    fs.mkdirSync(path.join(base, String(dead), 'buckets'), { recursive: true });
    fs.writeFileSync(path.join(base, String(dead), 'features.bin'), 'x');
    // a live one's (this process's parent stands for another shard) stays
    const live = path.join(base, String(process.ppid));
    fs.mkdirSync(live);
    removeWorkFolder(mine, true);
    expect(fs.readdirSync(base)).toEqual([String(process.ppid)]);
    fs.rmdirSync(live);
    const again = workFolder(base);
    fs.mkdirSync(again, { recursive: true });
    removeWorkFolder(again, true);
    expect(fs.existsSync(base)).toBe(false);
  });
});
