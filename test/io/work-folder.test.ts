import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileAtomic, PLACE, PROCESS_TAG, removeStaleTemporaries, removeWorkFolder, tempName, workFolder } from '../../src/io/files.js';
import { freshDir } from '../helpers/fixtures.js';
import { ownOutputFiles, removeOwnTemporaries } from '../../src/cli/runner.js';

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

  it('signal-left-the-temporary-output: an output file the job worker has made but not yet reported (its report lost with the worker) goes on a signal, named before the work began', () => {
    const dir = freshDir('signal-temp-output');
    const out = path.join(dir, 'city.glb'), labels = path.join(dir, 'labels.tif');
    ownOutputFiles([out, labels]);
    // the worker's temporary GLB, made just before the signal; its labels never made
    fs.writeFileSync(tempName(out), 'partial');
    removeOwnTemporaries();
    expect(fs.readdirSync(dir)).toEqual([]);
    // a run's finished output (renamed from its temporary name) is not touched
    fs.writeFileSync(out, 'whole');
    removeOwnTemporaries();
    expect(fs.readdirSync(dir)).toEqual(['city.glb']);
  });

  it('find-spill-left-behind: a signal while the find index is written removes the spill folder\'s base too (an empty .find-spill stayed)', () => {
    const out = freshDir('work-folder-signal');
    const spill = workFolder(path.join(out, '.find-spill'));
    fs.mkdirSync(spill, { recursive: true });
    fs.writeFileSync(path.join(spill, 'a1'), 'x');
    const work = workFolder(path.join(out, '.work'));
    fs.mkdirSync(work, { recursive: true });
    // what the CLI's signal handler does (both are this thread's temporary folders)
    removeOwnTemporaries();
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('shards-swept-each-other: work folders and temporary files of another host or PID namespace are never taken for a killed run\'s; this place\'s dead ones are', () => {
    const dir = freshDir('work-folder-places');
    const base = path.join(dir, '.work');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    // (a shard on another host, or in another container, whose pid is not running here: it may well be there)
    const elsewhere = [`${dead}@another-host.4026531836`, `1@${PLACE}9`];
    for (const name of [...elsewhere, `${dead}@${PLACE}`]) fs.mkdirSync(path.join(base, name), { recursive: true });
    const mine = workFolder(base);
    expect(path.basename(mine)).toBe(PROCESS_TAG);
    expect(fs.readdirSync(base).sort()).toEqual([...elsewhere].sort());
    // the same for temporary files beside the outputs
    const tiles = path.join(dir, 'tiles');
    fs.mkdirSync(tiles);
    for (const tag of [...elsewhere, `${dead}@${PLACE}`, String(dead)]) fs.writeFileSync(path.join(tiles, `.0.glb.tmp-${tag}`), 'x');
    removeStaleTemporaries(tiles);
    expect(fs.readdirSync(tiles).sort()).toEqual(elsewhere.map((t) => `.0.glb.tmp-${t}`).sort());
  });

  it('runs-mixed-their-tiles: createFileAtomic makes a file once; a second maker finds it there, its content untouched, and no temporary left', () => {
    const dir = freshDir('work-folder-create');
    const plan = path.join(dir, 'out', 'plan.json');
    expect(createFileAtomic(plan, '{"fingerprint":"a"}\n')).toBe(true);
    expect(createFileAtomic(plan, '{"fingerprint":"b"}\n')).toBe(false);
    expect(fs.readFileSync(plan, 'utf8')).toBe('{"fingerprint":"a"}\n');
    expect(fs.readdirSync(path.dirname(plan))).toEqual(['plan.json']);
  });
});
