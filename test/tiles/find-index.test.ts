import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findBucket, findKey, type FindEntry } from '../../src/core/find.js';
import { writeFindIndex } from '../../src/tiles/find-index.js';
import { OutputError } from '../../src/core/errors.js';
import { PROCESS_TAG } from '../../src/io/files.js';
import type { TileNode } from '../../src/tiles/partition.js';
import type { TileRecord } from '../../src/tiles/tileset.js';
import { cli } from '../helpers/cli.js';

const node = (id: string, children: TileNode[] = []): TileNode => ({ id, level: Number(id.split('/')[0]), x: 0, y: 0, minX: 0, minY: 0, size: 1, count: 0, children });
// a root with four leaves, one of them split again: leaves in tree order 1/0/0, 2/2/0, 2/3/0, 1/0/1, 1/1/1
const root = node('0/0/0', [node('1/0/0'), node('1/1/0', [node('2/2/0'), node('2/3/0')]), node('1/0/1'), node('1/1/1')]);
const leaves = ['1/0/0', '2/2/0', '2/3/0', '1/0/1', '1/1/1'];

/** Each leaf's find list: 40 buildings; names shared across leaves, an id that is its own name, awkward strings. */
const finds = new Map<string, NonNullable<TileRecord['find']>>(
  leaves.map((leaf, l) => [
    leaf,
    Array.from({ length: 40 }, (_, i) => {
      const id = `w${l * 100 + i}`;
      const name = i % 10 === 0 ? 'Shed' : i === 1 ? id.toUpperCase() : i === 2 ? ` Halle\u0000${l}\n ` : i === 3 ? 'Caf\u0065\u0301' : i === 4 ? '1234' : i % 3 ? '' : `house ${i}`;
      return [id, name, l + i / 7, -(i + 1) * 1e-3, 1e21 * (i === 5 ? 1 : 0) + i] as [string, string, number, number, number];
    }),
  ]),
);

/** The index as the straightforward in-memory rule gives it: key → its buildings in tree order, once each. */
function reference(): Map<string, Map<string, FindEntry[]>> {
  const buckets = new Map<string, Map<string, FindEntry[]>>();
  for (const leaf of leaves)
    for (const [id, name, x, y, z] of finds.get(leaf)!)
      for (const key of [findKey(id), findKey(name)]) {
        if (!key) continue;
        const b = findBucket(key);
        if (!buckets.has(b)) buckets.set(b, new Map());
        const m = buckets.get(b)!;
        if (!m.has(key)) m.set(key, []);
        const list = m.get(key)!;
        if (!list.some((e) => e[0] === id && e[1] === leaf)) list.push([id, leaf, x, y, z]);
      }
  return buckets;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const indexed = (spillBytes?: number) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityforge-find-'));
  dirs.push(dir);
  const buckets = writeFindIndex(root, (leaf) => finds.get(leaf), dir, spillBytes);
  return { dir, buckets };
};

describe('find index', () => {
  it('merge-held-every-building: the find index spilled bucket by bucket is the in-memory rule, whatever the spill size', () => {
    const whole = indexed();
    const spilled = indexed(1); // every leaf's entries appended to the spill files at once
    const ref = reference();
    expect(whole.buckets).toEqual([...ref.keys()].sort());
    expect(spilled.buckets).toEqual(whole.buckets);
    for (const b of whole.buckets) {
      const bytes = fs.readFileSync(path.join(whole.dir, 'find', `${b}.json`));
      expect(fs.readFileSync(path.join(spilled.dir, 'find', `${b}.json`)).equals(bytes), `bucket ${b}`).toBe(true);
      const got = JSON.parse(bytes.toString('utf8')) as Record<string, FindEntry[]>;
      const want = ref.get(b)!;
      expect(Object.keys(got).sort()).toEqual([...want.keys()].sort());
      for (const [k, list] of want) expect(got[k], k).toEqual(list);
    }
    // a name many buildings share finds each once, in the tree's order; an id that is its own name once
    const shed = JSON.parse(fs.readFileSync(path.join(whole.dir, 'find', `${findBucket('shed')}.json`), 'utf8'))['shed'] as FindEntry[];
    expect(shed.map((e) => e[0])).toEqual(leaves.flatMap((_, l) => [0, 10, 20, 30].map((i) => `w${l * 100 + i}`)));
    const own = JSON.parse(fs.readFileSync(path.join(whole.dir, 'find', `${findBucket('w1')}.json`), 'utf8'))['w1'] as FindEntry[];
    expect(own).toEqual([["w1", "1/0/0", 0 + 1 / 7, -2e-3, 1]]);
    // nothing else left behind: the buckets and no spill folder
    for (const d of [whole.dir, spilled.dir]) expect(fs.readdirSync(d)).toEqual(['find']);
  });

  it('full-disk-in-the-find-index-was-a-bug: a write that fails for want of space is an output error naming the file (exit 4), not an internal one', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cityforge-find-full-'));
    try {
      // every spill bucket this process would write is the full device
      const spill = path.join(out, '.find-spill', PROCESS_TAG);
      fs.mkdirSync(spill, { recursive: true });
      for (let b = 0; b < 256; b++) fs.symlinkSync('/dev/full', path.join(spill, b.toString(16).padStart(2, '0')));
      let caught: unknown;
      try {
        writeFindIndex(root, (leaf) => finds.get(leaf), out);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(OutputError);
      expect((caught as Error).message).toMatch(/cannot write .*\.find-spill.*: no space left on the device/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('tileset-find-missed-ref: a tileset finds a building by its reference attributes (ref, gml_id, …) as the GLB view does', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityforge-find-ref-'));
    dirs.push(dir);
    const file = path.join(dir, 'refs.geojson');
    const sq = (x: number) => [[[7.42 + x, 43.73], [7.4201 + x, 43.73], [7.4201 + x, 43.7301], [7.42 + x, 43.7301], [7.42 + x, 43.73]]];
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [
      { type: 'Feature', id: 1, properties: { height: 10, ref: 'NL.IMBAG.Pand.0503100000004470' }, geometry: { type: 'Polygon', coordinates: sq(0) } },
      { type: 'Feature', id: 2, properties: { height: 12, gml_id: 'UUID_LOD2_011491', note: 'not a reference' }, geometry: { type: 'Polygon', coordinates: sq(0.0003) } },
    ] }));
    const r = cli(['tiles', file, '-o', path.join(dir, 't'), '-q']);
    expect(r.code, r.stderr).toBe(0);
    const look = (q: string) => (JSON.parse(fs.readFileSync(path.join(dir, 't', 'find', `${findBucket(findKey(q))}.json`), 'utf8')) as Record<string, FindEntry[]>)[findKey(q)]?.map((e) => e[0]);
    expect(look('NL.IMBAG.Pand.0503100000004470')).toEqual(['1']);
    expect(look('uuid_lod2_011491')).toEqual(['2']);
    expect(look('1')).toEqual(['1']);
    expect(fs.existsSync(path.join(dir, 't', 'find', `${findBucket(findKey('not a reference'))}.json`)) ? look('not a reference') : undefined).toBeUndefined();
  });
});
