import fs from 'node:fs';
import path from 'node:path';
import { findBucket, findKey, type FindEntry } from '../core/find.js';
import { outputErrorOf } from '../core/errors.js';
import { makeDirs, removeWorkFolder, workFolder, writeFileAtomic } from '../io/files.js';
import { leavesOf, type TileNode } from './partition.js';
import type { TileRecord } from './tileset.js';

/** Bytes of find entries held in memory before they are appended to their buckets' spill files. */
const SPILL_BYTES = 16 << 20;

/**
 * Write a tileset's find index (see `core/find.ts`) into `out/find/<bucket>.json` in bounded memory:
 * the leaves' entries, in the tree's order, are appended to one spill file per bucket (in a work
 * folder under `out`, removed after), then each bucket is gathered alone — key → the buildings it
 * finds, in the tree's order (the same for any shard split), keys sorted. Holding every bucket at
 * once took more memory than the whole tiling (a city of 2 M buildings peaked at 1.5 GB there).
 * `spillBytes`: how many bytes of entries are held before they are appended to the spill files.
 * Returns the buckets written, sorted.
 *
 * @example
 * ```ts
 * const buckets = writeFindIndex(root, (leaf) => records.get(leaf)?.find, 'tiles-out');
 * ```
 */
export function writeFindIndex(root: TileNode, findOf: (leaf: string) => TileRecord['find'], out: string, spillBytes = SPILL_BYTES): string[] {
  const spill = workFolder(path.join(out, '.find-spill'));
  makeDirs(spill);
  const pending = new Map<string, string[]>();
  let held = 0;
  const flush = () => {
    // (full-disk-in-the-find-index-was-a-bug: ENOSPC here came out as an internal error, with its stack)
    for (const [b, lines] of pending)
      try {
        fs.appendFileSync(path.join(spill, b), lines.join(''));
      } catch (e) {
        throw outputErrorOf('output', path.join(spill, b), e);
      }
    pending.clear();
    held = 0;
  };
  try {
    for (const n of leavesOf(root)) {
      for (const [id, name, x, y, z, height, size, refs] of findOf(n.id) ?? []) {
        const where = height === undefined ? [x, y, z] : [x, y, z, height, size];
        for (const key of [findKey(id), findKey(name), ...(refs ?? []).map(findKey)]) {
          if (!key) continue;
          const line = JSON.stringify([key, id, n.id, ...where]) + '\n';
          const b = findBucket(key);
          let lines = pending.get(b);
          if (!lines) pending.set(b, (lines = []));
          lines.push(line);
          held += line.length;
        }
      }
      if (held > spillBytes) flush();
    }
    flush();
    const buckets = fs.readdirSync(spill).sort();
    for (const b of buckets) {
      const keys = new Map<string, FindEntry[]>();
      for (const line of fs.readFileSync(path.join(spill, b), 'utf8').split('\n')) {
        if (!line) continue;
        const [key, ...entry] = JSON.parse(line) as [string, ...FindEntry];
        const [id, tile] = entry;
        let list = keys.get(key);
        if (!list) keys.set(key, (list = []));
        // once per building and key (an id that is also its name): entries come leaf by leaf, so only
        // the list's run of this tile can hold it (a key many buildings share is no quadratic scan)
        let seen = false;
        for (let k = list.length - 1; k >= 0 && list[k][1] === tile && !seen; k--) seen = list[k][0] === id;
        if (!seen) list.push(entry);
      }
      // written key by key, in sorted order (an object of thousands of keys made for JSON.stringify cost a
      // third of a merge; it also put keys that read as integers first)
      const body = [...keys.keys()].sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(keys.get(k))}`);
      writeFileAtomic(path.join(out, 'find', `${b}.json`), `{${body.join(',')}}\n`);
    }
    return buckets;
  } finally {
    removeWorkFolder(spill, true);
  }
}
