import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from '@loaders.gl/core';
import { Tiles3DLoader } from '@loaders.gl/3d-tiles';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, cli } from '../helpers/cli.js';
import { DATA, freshDir } from '../helpers/fixtures.js';
import { buildingBases, expectValidGlb, readGlb } from '../helpers/glb.js';
import { onTempChange, type TempChange } from '../../src/core/temp.js';
import { NULL_LOGGER } from '../../src/core/logger.js';
import { mergeTiles } from '../../src/tiles/build.js';
import { PLACE } from '../../src/io/files.js';
import { buildTileset } from '../../src/pipeline/tiles.js';

/** Every file below `dir` (relative path → bytes), temporaries left out. */
function snapshot(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!/\.tmp-\d+(@[\w.-]+)?$/.test(e.name)) out.set(path.relative(dir, p), fs.readFileSync(p));
    }
  };
  walk(dir);
  return out;
}
const expectSameBytes = (a: Map<string, Buffer>, b: Map<string, Buffer>) => {
  expect([...b.keys()]).toEqual([...a.keys()]);
  for (const [k, v] of a) expect(v.equals(b.get(k)!), k).toBe(true);
};

interface TileJson { boundingVolume: { box: number[] }; geometricError: number; refine?: string; content?: { uri: string }; children?: TileJson[]; transform?: number[] }

describe('cityforge tiles: a 3D Tiles 1.1 tileset', () => {
  let dir: string;
  let input: string;
  let out: string;
  const args = () => [input, '--max-buildings', '500'];
  let singleWritten = 0;
  let single: { bytes: number; triangles: number } = { bytes: 0, triangles: 0 };
  beforeAll(() => {
    dir = freshDir('tiles');
    // two neighbouring SF tiles (about 3,000 buildings), split into several levels
    input = path.join(dir, 'in');
    fs.mkdirSync(input);
    for (const t of ['15-5238-12666.mvt', '15-5238-12667.mvt']) fs.copyFileSync(path.join(DATA, 'sf-mvt', t), path.join(input, t));
    out = path.join(dir, 'single');
    const r = cli(['tiles', ...args(), '-o', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    singleWritten = JSON.parse(r.stdout).buildingsWritten;
    single = JSON.parse(r.stdout);
  });

  it('resumed-rate-counted-the-kept: a resumed run\'s progress counts the tiles it builds, of those it has to build (not the ones it keeps)', async () => {
    // (in this process: tile worker threads run the bundled CLI's code, --jobs 2 is the CLI's; the count is the same callback)
    for (const jobs of [1]) {
      const resumed = path.join(dir, `resumed-progress-${jobs}`);
      fs.rmSync(resumed, { recursive: true, force: true });
      fs.cpSync(out, resumed, { recursive: true });
      const glbs = (fs.readdirSync(path.join(resumed, 'tiles'), { recursive: true }) as string[]).filter((f) => f.endsWith('.glb')).sort();
      expect(glbs.length).toBeGreaterThan(4);
      for (const f of glbs.slice(0, 2)) fs.rmSync(path.join(resumed, 'tiles', f));
      const updates: [string, number, number | undefined][] = [];
      await buildTileset([input], { maxBuildings: 500, output: resumed, jobs, progress: { update: (stage, done, total) => updates.push([stage, done, total]), done() {} } });
      const tiles = updates.filter(([stage]) => stage === 'building tiles');
      // (it counted every tile, kept ones too, over all of them: "294/1260 (92/s)" where 279 were kept)
      expect(tiles.map(([, d, t]) => `${d}/${t}`), `jobs ${jobs}`).toEqual(['1/2', '2/2']);
    }
  });

  it('rerun-read-the-whole-input-again: a rerun over the finished tileset of the same inputs and options reads nothing and keeps every byte; shards-refused-a-touched-input: a touched input, or a copy elsewhere, is the same input; other bytes of the same size and time are not', () => {
    // (it read and re-indexed every input to keep every tile: 20 s at a million buildings, for a scheduler's retry)
    const copy = path.join(dir, 'finished');
    fs.rmSync(copy, { recursive: true, force: true });
    fs.cpSync(out, copy, { recursive: true });
    const listing = () => fs.readdirSync(copy, { recursive: true }).sort().map((f) => [f, fs.statSync(path.join(copy, String(f))).isFile() ? fs.readFileSync(path.join(copy, String(f))).toString('base64') : 'dir']);
    const before = listing();
    // the input copied to another path (as on a node that mounts the share elsewhere, or stages it), its times new
    const moved = path.join(dir, 'in-moved');
    fs.rmSync(moved, { recursive: true, force: true });
    fs.cpSync(input, moved, { recursive: true });
    for (const f of fs.readdirSync(moved)) fs.utimesSync(path.join(moved, f), new Date(), new Date(2001, 1, 1));
    const r = cli(['tiles', moved, '--max-buildings', '500', '-o', copy, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/finished: its \d+ tiles and tileset\.json were made from these inputs \(the same content\) and options; nothing built/);
    expect(r.stderr).not.toMatch(/lie at lon/); // (what the read says: none happened)
    const j = JSON.parse(r.stdout);
    expect([j.bytes, j.triangles, j.buildingsWritten, j.featuresRead]).toEqual([single.bytes, single.triangles, singleWritten, (single as unknown as { featuresRead: number }).featuresRead]);
    expect(j.tiles.kept).toBe(j.tiles.plan);
    expect(listing()).toEqual(before);
    // a tile gone: the inputs are read again, and the tileset is the same (plan.json too: where the input lies is not in it)
    fs.rmSync(path.join(copy, 'tiles', '0', '0', '0.glb'));
    const again = cli(['tiles', moved, '--max-buildings', '500', '-o', copy]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/lie at lon/);
    expect(listing()).toEqual(before);
    // other bytes of the same size and times: other inputs (the tiles of the old ones were kept, exit 0)
    const f0 = path.join(moved, fs.readdirSync(moved)[0]);
    const st = fs.statSync(f0);
    fs.writeFileSync(f0, Buffer.alloc(st.size, 0x55));
    fs.utimesSync(f0, st.atime, st.mtime);
    const garbled = cli(['tiles', moved, '--max-buildings', '500', '-o', copy]);
    expect(garbled.code).toBe(4);
    expect(garbled.stderr).toContain(`holds tiles of other inputs or options (the content of ${moved}); use --force`);
  });

  it('resumed-run-said-0-bytes: a rerun over a complete tileset resumes every tile and counts their bytes and triangles as the first run did', () => {
    const r = cli(['tiles', ...args(), '-o', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/tiles: 0 built, [1-9]\d* already complete \(resumed\)/);
    // resume-unsaid-until-the-end: and says so before it builds (an interrupted rerun never said it)
    expect(r.stderr).toMatch(/tiles: resuming: (\d+) of \1 tiles already complete, kept\n(.*\n)*tiles: 0 built/);
    const again = JSON.parse(r.stdout);
    expect([again.bytes, again.triangles]).toEqual([single.bytes, single.triangles]);
    // json-thin-for-bookkeeping: the tiles built and kept, of the run's and the plan's, where
    const n = (single as unknown as { tiles: { plan: number } }).tiles.plan;
    expect(n).toBeGreaterThan(3);
    expect((single as unknown as { tiles: unknown }).tiles).toEqual({ built: n, kept: 0, run: n, plan: n, shard: null, output: path.resolve(out) });
    expect(again.tiles).toEqual({ built: 0, kept: n, run: n, plan: n, shard: null, output: path.resolve(out) });
    expect(again.bytes).toBeGreaterThan(0);
  });

  it('schema-id-said-one-schema: a content\'s metadata schema id names its definition: one id, one set of classes, across every tile (the coarse tiles\' blocks apart from the leaves\' buildings)', async () => {
    const byId = new Map<string, string>();
    const files = (fs.readdirSync(path.join(out, 'tiles'), { recursive: true }) as string[]).filter((f) => f.endsWith('.glb'));
    for (const f of files) {
      const rb = await readGlb(new Uint8Array(fs.readFileSync(path.join(out, 'tiles', f))), { accessors: false });
      const schema = rb.json.extensions.EXT_structural_metadata.schema;
      expect(schema.id).toMatch(/^cityforge_[0-9a-f]{8}$/);
      const classes = JSON.stringify(schema.classes);
      expect(byId.get(schema.id) ?? classes, f).toBe(classes);
      byId.set(schema.id, classes);
    }
    expect(byId.size).toBeGreaterThan(1);
  });

  it('loads through @loaders.gl/3d-tiles (tileset and every content), every content validator-clean', async () => {
    const tileset = await parse(fs.readFileSync(path.join(out, 'tileset.json')), Tiles3DLoader, { '3d-tiles': { isTileset: true } } as never);
    expect((tileset as { type: string }).type).toBe('TILES3D');
    expect((tileset as { asset: { version: string } }).asset.version).toBe('1.1');
    const json = JSON.parse(fs.readFileSync(path.join(out, 'tileset.json'), 'utf8'));
    const uris: string[] = [];
    const walk = (t: TileJson) => {
      if (t.content) uris.push(t.content.uri);
      t.children?.forEach(walk);
    };
    walk(json.root);
    expect(uris.length).toBeGreaterThan(4);
    for (const uri of uris) {
      const bytes = new Uint8Array(fs.readFileSync(path.join(out, uri)));
      const content = await parse(bytes, Tiles3DLoader, { '3d-tiles': { loadGLTF: true } } as never);
      expect((content as { type: string }).type).toBe('glTF');
      await expectValidGlb(bytes);
    }
  });

  it('root transform is the frame’s ENU→ECEF; boxes nest; geometric error decreases; REPLACE refinement', () => {
    const json = JSON.parse(fs.readFileSync(path.join(out, 'tileset.json'), 'utf8'));
    expect(json.root.transform).toHaveLength(16);
    // the transform's translation is a point on the Earth's surface (|ECEF| ≈ 6,370 km)
    expect(Math.hypot(json.root.transform[12], json.root.transform[13], json.root.transform[14])).toBeGreaterThan(6.35e6);
    expect(json.geometricError).toBeGreaterThan(json.root.geometricError);
    const inside = (c: number[], p: number[]) => {
      for (let k = 0; k < 3; k++) {
        const h = [c[3], c[7], c[11]][k], ph = [p[3], p[7], p[11]][k];
        if (c[k] - h < p[k] - ph - 0.002 || c[k] + h > p[k] + ph + 0.002) return false;
      }
      return true;
    };
    let leaves = 0;
    const walk = (t: TileJson) => {
      expect(t.refine).toBe('REPLACE');
      if (!t.children) {
        expect(t.geometricError).toBe(0);
        leaves++;
        return;
      }
      for (const c of t.children) {
        expect(inside(c.boundingVolume.box, t.boundingVolume.box)).toBe(true);
        expect(c.geometricError).toBeLessThan(t.geometricError);
        walk(c);
      }
    };
    walk(json.root);
    expect(leaves).toBeGreaterThan(3);
  });

  it('every building is in exactly one leaf, and in exactly one box or block of every coarser tile above it', async () => {
    const json = JSON.parse(fs.readFileSync(path.join(out, 'tileset.json'), 'utf8'));
    const tableOf = async (t: TileJson) => (await readGlb(new Uint8Array(fs.readFileSync(path.join(out, t.content!.uri))))).table;
    const leafIds: string[] = [];
    let blockTiles = 0;
    // returns the ids of the buildings below t (from the leaves)
    const walk = async (t: TileJson): Promise<string[]> => {
      const table = await tableOf(t);
      const own = table['id'] as string[];
      expect(new Set(own).size).toBe(own.length);
      if (!t.children) {
        leafIds.push(...own);
        return own;
      }
      const below = (await Promise.all(t.children.map(walk))).flat();
      if ((table['building'] as string[]).every((k) => k === 'block')) {
        // merged blocks: their piece counts add up to the buildings below, each counted once
        blockTiles++;
        expect((table['pieces'] as number[]).reduce((a, b) => a + b, 0)).toBe(below.length);
        // block-of-1-buildings: a block's name counts its buildings in plain English
        (table['pieces'] as number[]).forEach((n, k) => expect(table['name'][k]).toBe(n === 1 ? '1 building' : `${n} buildings`));
        // block-height-said-data: a block's height is its buildings' mean, said so
        expect(new Set(table['height_from'])).toEqual(new Set(['merged']));
      } else {
        expect([...own].sort()).toEqual([...below].sort());
      }
      return below;
    };
    const all = await walk(json.root);
    expect(new Set(leafIds).size).toBe(leafIds.length);
    expect(leafIds.length).toBe(all.length);
    expect(all.length).toBeGreaterThan(2500);
    expect(blockTiles).toBeGreaterThan(0);
  });

  it('streams through a spill file in a work folder that is removed at the end; --work-dir moves it (same bytes); work-dir-left-behind: a --work-dir the run made goes too, one that was there stays', () => {
    expect(fs.existsSync(path.join(out, '.work'))).toBe(false);
    const work = path.join(dir, 'scratch', 'inner');
    const other = path.join(dir, 'workdir');
    const r = cli(['tiles', ...args(), '-o', other, '--work-dir', work]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/read \d+ buildings into .*scratch\/inner\/.*features\.bin/);
    // (both folders made by the run: scratch/inner stayed, empty)
    expect(fs.existsSync(path.join(dir, 'scratch'))).toBe(false);
    expectSameBytes(snapshot(out), snapshot(other));
    const kept = path.join(dir, 'kept-work');
    fs.mkdirSync(kept);
    const p = cli(['plan', ...args(), '--work-dir', kept]);
    expect(p.code, p.stderr).toBe(0);
    expect(fs.readdirSync(kept)).toEqual([]);
    const made = path.join(dir, 'plan-work', 'a');
    expect(cli(['plan', ...args(), '--work-dir', made]).code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'plan-work'))).toBe(false);
  });

  it('--jobs 2 gives the same bytes as --jobs 1', () => {
    const o2 = path.join(dir, 'jobs2');
    const r = cli(['tiles', ...args(), '-o', o2, '--jobs', '2', '-q']);
    expect(r.code, r.stderr).toBe(0);
    expectSameBytes(snapshot(out), snapshot(o2));
  });

  it('3 shards (in separate folders) + merge give the same bytes as a single run, their buildings written adding up to its; plan lists the units', () => {
    const plan = cli(['plan', ...args()]);
    expect(plan.code, plan.stderr).toBe(0);
    const units = plan.stdout.trim().split('\n').map((l) => JSON.parse(l));
    // a .glb and a .json per tile, plus plan.json and tileset.json (the find index's buckets aside)
    expect(units.length).toBe([...snapshot(out).keys()].filter((k) => !k.startsWith('find')).length / 2 - 1);
    const shards = [0, 1, 2].map((i) => path.join(dir, `shard${i}`));
    // shard-summary-said-0-buildings: each shard counts the buildings of the leaf tiles it wrote
    const written = shards.map((s, i) => {
      const r = cli(['tiles', ...args(), '-o', s, '--shard', `${i}/3`, '--json']);
      expect(r.code, r.stderr).toBe(0);
      // fresh-run-said-resumed: a fresh run says only what it built
      expect(r.stderr).toMatch(/tiles: \d+ built(, \d+ worker threads)?\n/);
      expect(r.stderr).not.toMatch(/resumed/);
      // tiles-part-said-nothing-of-merge: a shard says what it wrote and that merge writes the tileset
      expect(r.stderr).toMatch(new RegExp(`shard ${i}/3: \\d+ tiles? of ${units.length} in .*shard${i}; once every part has run, \`cityforge merge <their folders> -o <folder>\` writes tileset\\.json`));
      return JSON.parse(r.stdout).buildingsWritten as number;
    });
    expect(singleWritten).toBeGreaterThan(2000);
    expect(written.reduce((a, b) => a + b, 0)).toBe(singleWritten);
    expect(written.filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(fs.existsSync(path.join(shards[0], 'tileset.json'))).toBe(false);
    const merged = path.join(dir, 'merged');
    const m = cli(['merge', ...shards, '-o', merged]);
    expect(m.code, m.stderr).toBe(0);
    // (the line build ends with: where the output is)
    expect(m.stderr).toContain(`wrote ${path.join(merged, 'tileset.json')} (${units.length} tiles)`);
    expectSameBytes(snapshot(out), snapshot(merged));
  });

  it('--units <file> (lines of cityforge plan, or bare ids) builds just those tiles; two lists into one folder + merge give the single-run bytes', () => {
    const plan = cli(['plan', ...args()]);
    expect(plan.code, plan.stderr).toBe(0);
    const lines = plan.stdout.trim().split('\n');
    const a = path.join(dir, 'units-a.jsonl'), b = path.join(dir, 'units-b.txt');
    fs.writeFileSync(a, lines.filter((_, k) => k % 2 === 0).join('\n') + '\n');
    fs.writeFileSync(b, lines.filter((_, k) => k % 2 === 1).map((l) => JSON.parse(l).unit).join('\n') + '\n');
    const shared = path.join(dir, 'units');
    const ra = cli(['tiles', ...args(), '-o', shared, '--units', a, '-q']);
    expect(ra.code, ra.stderr).toBe(0);
    expect(fs.existsSync(path.join(shared, 'tileset.json'))).toBe(false);
    expect(fs.readdirSync(path.join(shared, 'tiles'), { recursive: true }).filter((f) => String(f).endsWith('.glb')).length).toBe(Math.ceil(lines.length / 2));
    expect(cli(['tiles', ...args(), '-o', shared, '--units', b, '-q']).code).toBe(0);
    const m = cli(['merge', shared, '-o', shared]);
    expect(m.code, m.stderr).toBe(0);
    expectSameBytes(snapshot(out), snapshot(shared));
    // an id that is not a unit of the plan is a usage error, named
    fs.writeFileSync(path.join(dir, 'units-bad.txt'), '9/9/9\n');
    const bad = cli(['tiles', ...args(), '-o', path.join(dir, 'units-bad'), '--units', path.join(dir, 'units-bad.txt')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/9\/9\/9 is not a unit of this plan/);
    expect(fs.existsSync(path.join(dir, 'units-bad', 'plan.json'))).toBe(false);
    // units-file-checked-after-the-read: a missing list, or a line that is no unit, is an input error (exit 3)
    // named before the inputs are read, and leaves no folder
    const missing = cli(['tiles', ...args(), '-o', path.join(dir, 'units-missing'), '--units', path.join(dir, 'no-units.txt')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/--units .*no-units\.txt: no such file/);
    expect(missing.stderr).not.toMatch(/read \d+ buildings|from layer/);
    expect(fs.existsSync(path.join(dir, 'units-missing'))).toBe(false);
    fs.writeFileSync(path.join(dir, 'units-junk.txt'), '0/0/0\nsome words\n');
    const junk = cli(['tiles', ...args(), '-o', path.join(dir, 'units-junk'), '--units', path.join(dir, 'units-junk.txt')]);
    expect(junk.code).toBe(3);
    expect(junk.stderr).toMatch(/units-junk\.txt line 2: not a unit id \(level\/x\/y\) or a plan line: some words/);
  });

  it('an empty input stops the run with exit 3 naming file and layer; nothing that looks whole is left, no work folder', () => {
    const empty = path.join(dir, 'empty.geojson');
    fs.writeFileSync(empty, JSON.stringify({ type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4326' } }, features: [] }));
    const o = path.join(dir, 'empty-out');
    const r = cli(['tiles', empty, '-o', o]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cityforge ingest: .*empty\.geojson layer empty: no features/);
    expect(fs.existsSync(o)).toBe(false); // the folder this run made is gone with it
  });

  it('store-wiped-by-a-second-plan: a plan started while another writes the store leaves both at exit 0 with the same units and one whole store; a killed plan leaves its side folder to the next', async () => {
    const store = path.join(dir, 'store-raced');
    const sides = () => fs.readdirSync(dir).filter((n) => n.startsWith('store-raced.'));
    const run = () => {
      const child = spawn(process.execPath, [CLI, 'plan', ...args(), '--store', store], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '', err = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (err += d));
      return { child, done: new Promise<{ code: number | null; out: string; err: string }>((r) => child.on('close', (code) => r({ code, out, err }))) };
    };
    const waitForSide = async () => {
      const t0 = Date.now();
      while (Date.now() - t0 < 60_000 && !sides().length) await new Promise((r) => setTimeout(r, 5));
      expect(sides().length).toBeGreaterThan(0);
    };
    // the second starts once the first is writing (it emptied the folder under the first: exit 1, a stack trace)
    const a = run();
    await waitForSide();
    const b = run();
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.code, ra.err).toBe(0);
    expect(rb.code, rb.err).toBe(0);
    expect(ra.out).toBe(rb.out);
    expect(ra.out.split('\n').filter(Boolean).length).toBeGreaterThan(1);
    expect(sides()).toEqual([]);
    const t = cli(['tiles', ...args(), '--store', store, '-o', path.join(dir, 'store-raced-out'), '-q']);
    expect(t.code, t.stderr).toBe(0);
    // a plan killed while writing: its side folder stays (nothing can remove it) and the next plan removes it
    fs.rmSync(store, { recursive: true });
    const k = run();
    await waitForSide();
    k.child.kill('SIGKILL');
    await k.done;
    expect(sides().length).toBe(1);
    expect(fs.existsSync(store)).toBe(false); // never a half store where shards look
    expect(cli(['plan', ...args(), '--store', store, '-q']).code).toBe(0);
    expect(sides()).toEqual([]);
    expect(fs.existsSync(path.join(store, 'store.json'))).toBe(true);
  });

  it('a work folder that cannot be made (a file in the way) is an output error: exit 4, the reason named', () => {
    const file = path.join(dir, 'not-a-folder');
    fs.writeFileSync(file, 'x');
    const r = cli(['tiles', ...args(), '-o', path.join(dir, 'wd-out'), '--work-dir', path.join(file, 'work')]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/cannot write .*not-a-folder.*: a file is where a folder should be/);
  });

  it('plan --store reads the inputs once; shards with tiles --store reuse it (no read) and merge to the single-run bytes', () => {
    const store = path.join(dir, 'store');
    const plan = cli(['plan', ...args(), '--store', store]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(fs.existsSync(path.join(store, 'store.json'))).toBe(true);
    const shards = [0, 1].map((i) => path.join(dir, `store-shard${i}`));
    shards.forEach((o, i) => {
      const r = cli(['tiles', ...args(), '--store', store, '-o', o, '--shard', `${i}/2`, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/reusing the store in .*: \d+ buildings \(the inputs are not read again\)/);
      expect(JSON.parse(r.stdout).featuresRead).toBeGreaterThan(3000); // the read's counts travel with the store
    });
    const merged = path.join(dir, 'store-merged');
    expect(cli(['merge', ...shards, '-o', merged]).code).toBe(0);
    expectSameBytes(snapshot(out), snapshot(merged));
    expect(fs.existsSync(path.join(store, 'store.json'))).toBe(true); // kept for the next shard
    // made with other options → refused (exit 3); no store there → usage error (exit 2)
    const otherOptions = cli(['tiles', input, '--max-buildings', '400', '--store', store, '-o', path.join(dir, 'store-other')]);
    expect(otherOptions.code).toBe(3);
    // store-refusal-named-every-option: the option that differs is named (it listed seven that might)
    expect(otherOptions.stderr).toMatch(/--store .*store was made from other inputs or options \(--max-buildings 400, before 500\); make it again/);
    expect(cli(['tiles', ...args(), '--store', path.join(dir, 'no-store'), '-o', path.join(dir, 'store-none')]).code).toBe(2);
    // store-replaced-under-the-shards: plan of other options into a store refuses (exit 4) unless --replace-store
    const other = path.join(dir, 'store-replace');
    fs.cpSync(store, other, { recursive: true });
    const refused = cli(['plan', input, '--max-buildings', '400', '--store', other]);
    expect(refused.code, refused.stderr).toBe(4);
    expect(refused.stderr).toMatch(/--store .*store-replace holds a store made from other inputs or options \(--max-buildings 400, before 500\) \(shards may be reading it\); give another folder, or --replace-store/);
    expect(fs.readFileSync(path.join(other, 'store.json'))).toEqual(fs.readFileSync(path.join(store, 'store.json')));
    expect(cli(['plan', input, '--max-buildings', '400', '--store', other, '--replace-store', '-q']).code).toBe(0);
    expect(cli(['tiles', input, '--max-buildings', '400', '--store', other, '-o', path.join(dir, 'store-replaced-out'), '-q']).code).toBe(0);
    // damaged-store-was-a-bug: a bucket whose rows are garbage is named as damaged (exit 3), no stack trace
    const bad = path.join(dir, 'store-bad');
    fs.cpSync(store, bad, { recursive: true });
    const buckets = path.join(bad, 'buckets');
    const largest = fs.readdirSync(buckets).map((f) => path.join(buckets, f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
    const bytes = fs.readFileSync(largest);
    bytes.fill(0x7f, bytes.length >> 1);
    fs.writeFileSync(largest, bytes);
    const r = cli(['tiles', ...args(), '--store', bad, '-o', path.join(dir, 'store-bad-out')]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/error: cityforge store: .*features.bin: building \S+'s record lies outside the file .*: the store is damaged; make it again|error: cityforge store: .*: cut short/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("plan-refused-the-tiles-options: plan names a tiles option it was given (exit 2); with --tiles-options it takes and ignores them, and lists the same units", () => {
    const plain = cli(['plan', ...args()]);
    expect(plain.code, plain.stderr).toBe(0);
    const dem = path.join(DATA, 'sf-terrain-3857.tif');
    const refused = cli(['plan', ...args(), '--terrain', dem]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--terrain is an option of tiles, not of plan/);
    expect(refused.stderr).toMatch(/--tiles-options/);
    const taken = cli(['plan', ...args(), '--tiles-options', '--terrain', dem, '--terrain-error', '2', '--facades', 'texture', '--jobs', '2', '--compress', '--json']);
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stdout).toBe(plain.stdout);
    // (hidden from plan's help, which lists --tiles-options)
    const help = cli(['plan', '--help']);
    expect(help.stdout).toMatch(/--tiles-options/);
    expect(help.stdout).not.toMatch(/^\s+--terrain </m);
  });

  it('merge-interrupted-left-a-partial-folder: into a fresh folder, what merge writes is the run\'s temporary (Ctrl-C removes it) until tileset.json is written; into a shard\'s own folder nothing is', () => {
    const shards = [0, 1].map((i) => path.join(dir, `tmp-merge-shard${i}`));
    shards.forEach((o, i) => expect(cli(['tiles', ...args(), '-o', o, '--shard', `${i}/2`, '-q']).code).toBe(0));
    const changes: TempChange[] = [];
    onTempChange((c) => changes.push(c));
    try {
      const fresh = path.join(dir, 'tmp-merge-out');
      mergeTiles(shards, fresh, NULL_LOGGER);
      const mine = (op: string) => changes.filter((c) => c.op === op && !c.path.includes('.tmp-') && !c.path.includes('.find-spill')).map((c) => path.relative(fresh, c.path)).sort();
      expect(mine('add')).toEqual(['find', 'plan.json', 'tiles']);
      expect(mine('remove')).toEqual(['find', 'plan.json', 'tiles']);
      expect(fs.existsSync(path.join(fresh, 'tileset.json'))).toBe(true);
      changes.length = 0;
      mergeTiles(shards, shards[0], NULL_LOGGER);
      expect(changes.filter((c) => c.op === 'add' && !c.path.includes('.tmp-') && !c.path.includes('.find-spill'))).toEqual([]);
    } finally {
      onTempChange(null);
    }
  });

  it('merge-killed-left-its-temporaries: what a merge killed with SIGKILL left half written is removed by the next merge, which ends with the single run\'s bytes', () => {
    const shards = [0, 1].map((i) => path.join(dir, `killed-merge-shard${i}`));
    shards.forEach((o, i) => expect(cli(['tiles', ...args(), '-o', o, '--shard', `${i}/2`, '-q']).code).toBe(0));
    const o = path.join(dir, 'killed-merge');
    // a merge killed half way: some tiles copied, one half written under its temporary name (a dead writer's)
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const tile = [...snapshot(path.join(shards[0], 'tiles')).keys()].find((k) => k.endsWith('.glb'))!;
    fs.mkdirSync(path.dirname(path.join(o, 'tiles', tile)), { recursive: true });
    fs.writeFileSync(path.join(o, 'tiles', `${tile}.tmp-${dead}@${PLACE}`), fs.readFileSync(path.join(shards[0], 'tiles', tile)).subarray(0, 1000));
    fs.writeFileSync(path.join(o, 'tiles', `${tile.replace(/\.glb$/, '.json')}.tmp-${dead}@${PLACE}`), '{"bou');
    const m = cli(['merge', ...shards, '-o', o, '-q']);
    expect(m.code, m.stderr).toBe(0);
    expect(fs.readdirSync(o, { recursive: true }).map(String).filter((n) => n.includes('.tmp-'))).toEqual([]);
    expectSameBytes(snapshot(out), snapshot(o));
  });

  it('merge-overwrote-another-tileset: merge into a folder holding a tileset of other options is refused (exit 4, naming what differs), that tileset untouched; --force replaces it whole', () => {
    const shards = [0, 1, 2].map((i) => path.join(dir, `shard${i}`));
    expect(shards.every((s) => fs.existsSync(path.join(s, 'plan.json')))).toBe(true);
    const another = path.join(dir, 'another');
    const b = cli(['tiles', input, '--max-buildings', '2000', '-o', another, '-q']);
    expect(b.code, b.stderr).toBe(0);
    const before = snapshot(another);
    const m = cli(['merge', ...shards, '-o', another, '--json']);
    expect(m.code, m.stderr).toBe(4);
    expect(JSON.parse(m.stdout).error.exitCode).toBe(4);
    expect(m.stderr).toMatch(/another holds a tileset of other inputs or options \(--max-buildings 500, before 2000\); choose another folder, or --force to replace it/);
    expectSameBytes(before, snapshot(another));
    // a tileset.json without a plan beside it (another tool's) is refused too
    const foreign = path.join(dir, 'foreign');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, 'tileset.json'), '{"asset":{"version":"1.1"}}');
    expect(cli(['merge', ...shards, '-o', foreign]).code).toBe(4);
    const f = cli(['merge', ...shards, '-o', another, '--force', '--json']);
    expect(f.code, f.stderr).toBe(0);
    // merge-had-no-json: what was written, on stdout
    expect(JSON.parse(f.stdout)).toEqual({ tileset: path.join(another, 'tileset.json'), tiles: [...snapshot(out).keys()].filter((k) => /^tiles\/.*\.glb$/.test(k)).length });
    // (no tile of the other tree left beside the merged ones)
    expectSameBytes(snapshot(out), snapshot(another));
  });

  it('merge refuses an incomplete set of shards; merge-refused-left-a-partial-folder: it writes nothing', () => {
    const lone = path.join(dir, 'lone');
    expect(cli(['tiles', ...args(), '-o', lone, '--shard', '0/3', '-q']).code).toBe(0);
    const m = cli(['merge', lone, '-o', path.join(dir, 'lone-merged')]);
    expect(m.code).toBe(3);
    expect(m.stderr).toMatch(/tile .* is missing/);
    expect(fs.existsSync(path.join(dir, 'lone-merged'))).toBe(false);
  });

  it('damaged-tile-kept: a tile cut short is rebuilt by a rerun (its record gives its size), and refused by merge', () => {
    const cut = path.join(dir, 'cut');
    fs.cpSync(out, cut, { recursive: true });
    fs.truncateSync(path.join(cut, 'tiles', '0', '0', '0.glb'), 100);
    const m = cli(['merge', cut, '-o', path.join(dir, 'cut-merged')]);
    // (before: merged, exit 0, a 100-byte root tile)
    expect(m.code, m.stderr).toBe(3);
    expect(m.stderr).toMatch(/0\.glb: 100 bytes where its record says [\d,]+ \(damaged\?\); build tile 0\/0\/0 again/);
    expect(fs.existsSync(path.join(dir, 'cut-merged'))).toBe(false);
    const r = cli(['tiles', ...args(), '-o', cut]);
    expect(r.code, r.stderr).toBe(0);
    // (before: "resuming: N of N", the cut tile kept)
    expect(r.stderr).toMatch(/tiles: resuming: (\d+) of (\d+) tiles already complete, kept/);
    const [, kept, all] = /resuming: (\d+) of (\d+)/.exec(r.stderr)!;
    expect(Number(kept)).toBe(Number(all) - 1);
    expectSameBytes(snapshot(out), snapshot(cut));
  });

  it('a run killed with SIGKILL resumes and ends with the same bytes as an uninterrupted run', async () => {
    const o = path.join(dir, 'killed');
    const child = spawn(process.execPath, [CLI, 'tiles', ...args(), '-o', o, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = ''; child.stderr!.on('data', (d) => (err += d));
    // kill it once a few tiles are complete
    const t0 = Date.now();
    while (Date.now() - t0 < 60_000) {
      const done = fs.existsSync(path.join(o, 'tiles')) ? [...snapshot(path.join(o, 'tiles')).keys()].filter((k) => k.endsWith('.json')).length : 0;
      if (done >= 3) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(fs.existsSync(path.join(o, 'tileset.json'))).toBe(false);
    const again = cli(['tiles', ...args(), '-o', o]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/tiles: \d+ built, [1-9]\d* already complete \(resumed\)/);
    expectSameBytes(snapshot(out), snapshot(o));
  });

  it('ctrl-c-ignored-during-compute (tiles, two worker threads): SIGINT once tiles are being written stops it, exit 130, no work folder nor temporary file left', async () => {
    const o = path.join(dir, 'interrupted');
    const child = spawn(process.execPath, [CLI, 'tiles', ...args(), '-o', o, '--jobs', '2', '-q', '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d));
    const exit = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    const t0 = Date.now();
    while (Date.now() - t0 < 60_000 && !(fs.existsSync(path.join(o, 'tiles')) && [...snapshot(path.join(o, 'tiles')).keys()].some((k) => k.endsWith('.json')))) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGINT');
    expect(await exit).toBe(130);
    // json-silent-when-interrupted: --json says so on stdout, as for any failed run
    expect(JSON.parse(stdout)).toEqual({ error: { exitCode: 130, message: 'interrupted by SIGINT; temporary files removed' } });
    expect(fs.existsSync(path.join(o, 'tileset.json'))).toBe(false);
    expect(fs.existsSync(path.join(o, '.work'))).toBe(false); // not even an empty base folder
    const leftovers = (fs.readdirSync(o, { recursive: true }) as string[]).filter((f) => f.includes(`.tmp-${child.pid}`));
    expect(leftovers).toEqual([]);
  });

  it('array-task-built-everything: a Slurm array task (or an Indexed Job\'s pod) run without --shard is told it builds every tile; with --shard, nothing is said', () => {
    const one = path.join(DATA, 'sf-mvt', '15-5238-12666.mvt');
    const r = cli(['tiles', one, '--max-buildings', '800', '-o', path.join(dir, 'array-task')], { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '4' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/SLURM_ARRAY_TASK_ID is set \(1\) but no --shard was given: this task builds every tile; pass --shard <i\/N> \(i = \$SLURM_ARRAY_TASK_ID, N = \$SLURM_ARRAY_TASK_COUNT\)/);
    const k = cli(['tiles', one, '--max-buildings', '800', '-o', path.join(dir, 'array-task-k8s'), '--shard', '1/4'], { JOB_COMPLETION_INDEX: '1' });
    expect(k.code, k.stderr).toBe(0);
    expect(k.stderr).not.toMatch(/JOB_COMPLETION_INDEX/);
  });

  it('interrupted-at-once-left-an-empty-folder: SIGTERM as soon as the output folder (and the folder above it) is made leaves neither behind, or only what a resumed run uses', async () => {
    const top = path.join(dir, 'at-once'), o = path.join(top, 'tiles');
    const child = spawn(process.execPath, [CLI, 'tiles', ...args(), '-o', o, '-q'], { stdio: 'ignore' });
    const exit = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    while (!fs.existsSync(o) && child.exitCode === null) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGTERM');
    expect(await exit).toBe(143);
    // (the plan, once written, stays for the next run to resume from)
    if (fs.existsSync(top)) expect(fs.readdirSync(o, { recursive: true })).toContain('plan.json');
  });

  it('other-build-refused-after-the-read: a folder holding another build is refused without --force, before the inputs are read, as an output error', () => {
    const r = cli(['tiles', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--max-buildings', '500', '-o', out]);
    expect(r.code).toBe(4);
    // rerun-said-not-what-differs: and says what differs
    expect(r.stderr).toMatch(/holds tiles of other inputs or options \(the content of .*15-5238-12666\.mvt\); use --force/);
    // s-srs-hidden-by-the-folder: an --s-srs GDAL does not know is said as such (exit 2), not as other options (exit 4)
    const srs = cli(['tiles', ...args(), '--s-srs', 'EPSG:99999', '-o', out]);
    expect(srs.code).toBe(2);
    expect(srs.stderr).toMatch(/--s-srs 'EPSG:99999' is not a CRS GDAL knows/);
    expect(r.stderr).not.toMatch(/from layer/);
    // foreign-plan-said-merge: a plan.json that is not cityforge's is a file in the way (exit 4), said by tiles
    const foreign = path.join(dir, 'foreign-plan');
    fs.mkdirSync(foreign, { recursive: true });
    fs.writeFileSync(path.join(foreign, 'plan.json'), '{"a":1}\n');
    const f = cli(['tiles', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '-o', foreign]);
    expect(f.code, f.stderr).toBe(4);
    expect(f.stderr).toMatch(/^error: cityforge tiles: .*plan.json: not a cityforge plan.json, in the output folder; choose another folder, or --force/m);
  });

  it('force-left-old-tiles: --force over another build gives the files a fresh run gives (the old build\'s other tiles were left)', () => {
    const forced = path.join(dir, 'forced');
    fs.cpSync(out, forced, { recursive: true });
    const one = path.join(DATA, 'sf-mvt', '15-5238-12666.mvt');
    const r = cli(['tiles', one, '--max-buildings', '800', '-o', forced, '--force', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const fresh = path.join(dir, 'fresh');
    expect(cli(['tiles', one, '--max-buildings', '800', '-o', fresh, '-q']).code).toBe(0);
    expectSameBytes(snapshot(fresh), snapshot(forced));
  });

  it('force-cleared-before-the-inputs-were-checked: --force with a DEM elsewhere stops (exit 3) and leaves the tileset that was there as it was', () => {
    const kept = path.join(dir, 'kept');
    fs.cpSync(out, kept, { recursive: true });
    const before = snapshot(kept);
    const r = cli(['tiles', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--terrain', path.join(DATA, 'sf-north-dem-3857.tif'), '-o', kept, '--force']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/does not overlap/);
    expect(snapshot(kept)).toEqual(before);
  });

  it('facades-change-resumed: a rerun with --facades into a folder built without them is refused (it resumed, keeping plain tiles), naming the option', () => {
    const before = snapshot(out);
    const r = cli(['tiles', ...args(), '--facades', 'texture', '-o', out]);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/holds tiles of other inputs or options \(--facades texture, before not given\); use --force/);
    expect(snapshot(out)).toEqual(before);
  });

  it('missing-input-beside-a-plan-was-internal: a missing input into a folder holding a build is named (exit 3), not an internal error', () => {
    const r = cli(['tiles', path.join(DATA, 'sf-mvt', 'no-such-tile.mvt'), '-o', out]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/no-such-tile\.mvt: no such file or folder/);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});

describe('sharding with an existing engine: GNU parallel', () => {
  it('scripts/tiles-parallel.sh (3 shards through GNU parallel, --sshlogin ":" = this machine) gives the single-run bytes', () => {
    const dir = freshDir('tiles-parallel');
    const input = path.join(dir, 'in');
    fs.mkdirSync(input);
    for (const t of ['15-5238-12666.mvt', '15-5238-12667.mvt']) fs.copyFileSync(path.join(DATA, 'sf-mvt', t), path.join(input, t));
    const single = path.join(dir, 'single');
    // (a terrain option, which changes no byte without --terrain but is in the plan's fingerprint)
    expect(cli(['tiles', input, '--max-buildings', '500', '--terrain-error', '5', '-o', single, '-q']).code).toBe(0);
    const out = path.join(dir, 'parallel');
    const script = path.join(import.meta.dirname, '..', '..', 'scripts', 'tiles-parallel.sh');
    const r = spawnSync('bash', [script, out, '3', input, '--', '--max-buildings', '500', '--terrain-error', '5'], { encoding: 'utf8', env: { ...process.env, SSHLOGINS: ':' } });
    expect(r.status, r.stderr).toBe(0);
    expectSameBytes(snapshot(single), snapshot(out));
    // STORE=: the inputs read once (plan --store), the shards reuse the store; tile options kept from the plan
    const viaStore = path.join(dir, 'via-store');
    // (plan-refused-the-tiles-options: a terrain option stopped the script's plan step with exit 2)
    const s = spawnSync('bash', [script, viaStore, '2', input, '--', '--max-buildings', '500', '--jobs', '1', '--terrain-error', '5'], { encoding: 'utf8', env: { ...process.env, SSHLOGINS: ':', STORE: path.join(dir, 'store') } });
    expect(s.status, s.stderr).toBe(0);
    expect(fs.existsSync(path.join(dir, 'store', 'store.json'))).toBe(true);
    expectSameBytes(snapshot(single), snapshot(viaStore));
    // a failed step is named, and its exit code is the script's
    const bad = spawnSync('bash', [script, path.join(dir, 'bad'), '2', path.join(dir, 'no-such.mvt')], { encoding: 'utf8', env: { ...process.env, SSHLOGINS: ':', STORE: path.join(dir, 'store-bad') } });
    expect(bad.status).toBe(3);
    expect(bad.stderr).toMatch(/tiles-parallel\.sh: cityforge plan \(reading the inputs into .*store-bad\) failed \(exit 3\)/);
  });
});

describe('coarse-tile-of-348-draws: a coarse tile is drawn in few draw calls', () => {
  it('1,600 buildings over 4 km, listed out of place: the root tile\'s blocks are one chunk per material, not cut at the leaves\' 2 cm step every few buildings', async () => {
    const dir = freshDir('tiles-coarse-chunks');
    const src = path.join(dir, 'grid.geojson');
    // (in no spatial order: consecutive buildings kilometres apart, as a coarse tile's blocks come)
    const features = Array.from({ length: 1600 }, (_, k) => {
      const i = (k * 797) % 1600, x = 100 * (i % 40), y = 100 * Math.floor(i / 40);
      const ring = [[x, y], [x + 12, y], [x + 12, y + 9], [x, y + 9], [x, y]].map(([a, b]) => [85000 + a, 447000 + b]);
      return { type: 'Feature', properties: { height: 6 + (i % 7) }, geometry: { type: 'Polygon', coordinates: [ring] } };
    });
    fs.writeFileSync(src, JSON.stringify({ type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::28992' } }, features }));
    const out = path.join(dir, 'tiles');
    const r = cli(['tiles', src, '--max-buildings', '100', '-o', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const primitives = (file: string) => {
      const d = fs.readFileSync(file);
      const json = JSON.parse(d.subarray(20, 20 + d.readUInt32LE(12)).toString('utf8'));
      return { primitives: json.meshes.reduce((n: number, m: { primitives: unknown[] }) => n + m.primitives.length, 0), materials: json.materials.length };
    };
    const root = primitives(path.join(out, 'tiles', '0', '0', '0.glb'));
    expect(root.materials).toBeGreaterThan(0);
    // (it was cut into a chunk every few buildings: over a hundred primitives)
    expect(root.primitives).toBeLessThanOrEqual(root.materials);
    await expectValidGlb(fs.readFileSync(path.join(out, 'tiles', '0', '0', '0.glb')));
  });
});

describe('sharding with an existing engine: a Slurm array', () => {
  it('scripts/slurm-tiles.sh as the tasks of a 1-based array (its environment as Slurm sets it) + merge gives the single-run bytes; slurm-outside-an-array-exit-1: outside an array it is a usage error, exit 2', () => {
    const dir = freshDir('tiles-slurm');
    const input = path.join(DATA, 'sf-mvt', '15-5238-12666.mvt');
    const single = path.join(dir, 'single');
    expect(cli(['tiles', input, '--max-buildings', '300', '-o', single, '-q']).code).toBe(0);
    const script = path.join(import.meta.dirname, '..', '..', 'scripts', 'slurm-tiles.sh');
    const out = path.join(dir, 'array');
    for (const id of [1, 2, 3]) {
      const r = spawnSync('bash', [script, out, input, '--max-buildings', '300', '-q'], { encoding: 'utf8', env: { ...process.env, SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '1' } });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain(`task ${id}: shard ${id - 1}/3 of ${out}`);
    }
    expect(cli(['merge', out, '-o', out, '-q']).code).toBe(0);
    expectSameBytes(snapshot(single), snapshot(out));
    const outside = spawnSync('bash', [script, path.join(dir, 'no-array'), input], { encoding: 'utf8', env: { ...process.env, SLURM_ARRAY_TASK_ID: '', SLURM_ARRAY_TASK_COUNT: '' } });
    expect(outside.status).toBe(2);
    expect(outside.stderr).toMatch(/slurm-tiles\.sh: run as an array job: sbatch --array/);
    expect(fs.existsSync(path.join(dir, 'no-array'))).toBe(false);
  });
});

describe('cityforge tiles --terrain: terrain tiles', () => {
  it('a run grid coarser than the raster (--terrain-max-samples): leaf tiles read their own DEM windows and stand as on the fine grid', async () => {
    const dir = freshDir('tiles-dem-windows');
    const dem = path.join(DATA, 'sf-terrain-3857.tif');
    const input = path.join(dir, 'in');
    fs.mkdirSync(input);
    for (const t of ['15-5238-12666.mvt', '15-5238-12667.mvt']) fs.copyFileSync(path.join(DATA, 'sf-mvt', t), path.join(input, t));
    const fine = path.join(dir, 'fine'), coarse = path.join(dir, 'coarse');
    expect(cli(['tiles', input, '--terrain', dem, '--max-buildings', '500', '-o', fine, '-q']).code).toBe(0);
    const r = cli(['tiles', input, '--terrain', dem, '--max-buildings', '500', '--terrain-max-samples', '65', '-o', coarse]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/terrain: the run's grid is \d+\.\d m \(65 samples a side, --terrain-max-samples\); \d+ leaf tiles read their own DEM windows/);
    expect(fs.existsSync(path.join(coarse, '.work'))).toBe(false);
    // every building of every leaf stands where it stands on the fine grid (its lowest vertex, per id)
    const plan = JSON.parse(fs.readFileSync(path.join(fine, 'plan.json'), 'utf8'));
    const leaves: string[] = [];
    const walk = (n: { id: string; children: unknown[] }) => (n.children.length ? n.children.forEach((c) => walk(c as never)) : leaves.push(`${n.id}.glb`));
    walk(plan.tree);
    expect(leaves.length).toBeGreaterThan(3);
    let compared = 0, worst = 0;
    for (const leaf of leaves) {
      const [za, zb] = await Promise.all([fine, coarse].map((d) => buildingBases(new Uint8Array(fs.readFileSync(path.join(d, 'tiles', leaf))))));
      for (const [id, z] of za) {
        worst = Math.max(worst, Math.abs(z - zb.get(id)!));
        compared++;
      }
      // elevation-not-in-the-table: the leaf's table says where each building stands, as its floor does
      const t = (await readGlb(new Uint8Array(fs.readFileSync(path.join(coarse, 'tiles', leaf))), { accessors: false })).table;
      (t['id'] as string[]).forEach((id, k) => expect(Math.abs((t['ground'] as number[])[k] - zb.get(id)!), id).toBeLessThan(0.03));
    }
    expect(compared).toBeGreaterThan(3000);
    expect(worst).toBeLessThan(1);
    for (const f of fs.readdirSync(path.join(coarse, 'tiles'), { recursive: true }) as string[]) if (f.endsWith('.glb')) await expectValidGlb(new Uint8Array(fs.readFileSync(path.join(coarse, 'tiles', f))));
  });

  it('every tile carries its terrain (own node and material, validator-clean); boxes hold the hills', async () => {
    const dir = freshDir('tiles-terrain');
    const out = path.join(dir, 'out');
    const r = cli(['tiles', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--terrain', path.join(DATA, 'sf-terrain-3857.tif'), '--max-buildings', '800', '-o', out, '-q', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'tileset.json'), 'utf8'));
    let triangles = 0;
    const walk = async (t: TileJson) => {
      const bytes = new Uint8Array(fs.readFileSync(path.join(out, t.content!.uri)));
      await expectValidGlb(bytes);
      const rb = await readGlb(bytes);
      for (const m of rb.json.meshes) for (const p of m.primitives) triangles += rb.json.accessors[p.indices].count / 3;
      const terrain = rb.json.nodes.find((n: { name?: string }) => n.name === 'terrain');
      expect(terrain, t.content!.uri).toBeDefined();
      expect(rb.json.materials[rb.json.meshes[terrain.mesh].primitives[0].material].name).toBe('terrain');
      // the SF hills: everything stands 20 m or more above the ellipsoid here (box z centre − half height)
      expect(t.boundingVolume.box[2] + t.boundingVolume.box[11]).toBeGreaterThan(40);
      for (const c of t.children ?? []) await walk(c);
    };
    await walk(json.root);
    // tiles-triangles-left-out-the-terrain: the summary counts every tile's triangles, terrain included
    expect(JSON.parse(r.stdout).triangles).toBe(triangles);
    // tileset-first-view-cropped: the buildings' own box for a viewer's first view, inside the root box,
    // which holds the terrain too
    const bb = json.asset.extras.cityforge.buildingsBox as number[];
    const rb = json.root.boundingVolume.box as number[];
    const [lo, hi] = [[rb[0] - rb[3], rb[1] - rb[7], rb[2] - rb[11]], [rb[0] + rb[3], rb[1] + rb[7], rb[2] + rb[11]]];
    expect(bb).toHaveLength(6);
    for (let k = 0; k < 3; k++) {
      expect(bb[k]).toBeGreaterThanOrEqual(lo[k] - 0.01);
      expect(bb[k + 3]).toBeLessThanOrEqual(hi[k] + 0.01);
      expect(bb[k + 3]).toBeGreaterThan(bb[k]);
    }
    // (the terrain dips lower than any building's foot here)
    expect(bb[2]).toBeGreaterThan(lo[2] + 1);
  });
});

describe('cityforge tiles --imagery: every tile textured at its level', () => {
  it('elevation tiles + a 2 m paletted orthophoto: every content validator-clean and read back by loaders.gl, each with its own texture, leaves finer than coarser tiles', async () => {
    const gdal = (await import('gdal-async')).default;
    const dir = freshDir('tiles-imagery');
    // a paletted 2 m "orthophoto" over the tile: 8 colours in stripes (GDAL-made, independent of cityforge)
    const ortho = path.join(dir, 'ortho.tif');
    const [x0, y1, side] = [-13631027.5, 4547209.2, 1222.98];
    const n = Math.round(side / 2);
    const ds = gdal.open(ortho, 'w', 'GTiff', n, n, 1, gdal.GDT_Byte);
    ds.srs = gdal.SpatialReference.fromEPSG(3857);
    ds.geoTransform = [x0, side / n, 0, y1, 0, -side / n];
    const band = ds.bands.get(1);
    const table = new gdal.ColorTable(gdal.GPI_RGB);
    for (let k = 0; k < 8; k++) table.set(k, { c1: 40 * k, c2: 255 - 30 * k, c3: 128, c4: 255 });
    band.colorTable = table;
    const px = new Uint8Array(n * n);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) px[j * n + i] = (Math.floor(i / 16) + Math.floor(j / 16)) % 8;
    band.pixels.write(0, 0, n, n, px);
    ds.close();
    const out = path.join(dir, 'out');
    const r = cli(['tiles', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--terrain', path.join(DATA, 'sf-terrarium-z12'), '--imagery', ortho, '--max-buildings', '800', '-o', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'tileset.json'), 'utf8'));
    const metresPerPixel: { leaf: boolean; m: number }[] = [];
    const sides: number[] = [];
    const walk = async (t: TileJson, size: number) => {
      const bytes = new Uint8Array(fs.readFileSync(path.join(out, t.content!.uri)));
      await expectValidGlb(bytes);
      const content = await parse(bytes, Tiles3DLoader, { '3d-tiles': { loadGLTF: true }, gltf: { loadImages: false } } as never);
      expect((content as { type: string }).type).toBe('glTF');
      const rb = await readGlb(bytes);
      expect(rb.json.images, t.content!.uri).toHaveLength(1);
      const img = rb.json.images[0];
      expect(img.mimeType).toBe('image/png');
      // the PNG's size from its IHDR chunk
      const bv = rb.json.bufferViews[img.bufferView];
      const jsonLen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
      const at = 20 + jsonLen + 8 + (bv.byteOffset ?? 0);
      const width = new DataView(bytes.buffer, bytes.byteOffset + at + 16, 8).getUint32(0);
      const leaf = !t.children?.length;
      expect(width).toBeLessThanOrEqual(leaf ? 1024 : 256);
      // tile-seams: the terrain's surface and the skirts along sides a neighbouring tile shares are one
      // textured primitive (a plain-coloured skirt showed through as a dashed line where it meets the
      // neighbour's surface); terrain-sides-streaked: the skirts on the tileset's outer sides are plain, as a
      // single model's (the imagery streaked down them)
      const terrain = rb.json.meshes.find((m: { name?: string }) => m.name === 'terrain');
      expect(terrain.primitives[0].attributes.TEXCOORD_0).toBeDefined();
      expect(terrain.primitives.length).toBeLessThanOrEqual(2);
      if (t === json.root) expect(terrain.primitives).toHaveLength(2);
      if (terrain.primitives[1]) {
        expect(terrain.primitives[1].attributes.TEXCOORD_0).toBeUndefined();
        expect(rb.json.materials[terrain.primitives[1].material].name).toBe('terrain-skirt');
      }
      sides.push(terrain.primitives.length);
      metresPerPixel.push({ leaf, m: size / width });
      for (const c of t.children ?? []) await walk(c, size / 2);
    };
    await walk(json.root, 2 * json.root.boundingVolume.box[3]);
    // (a tile inside the tileset, all four sides shared, has no plain skirt)
    expect(sides).toContain(2);
    const leaves = metresPerPixel.filter((t) => t.leaf), inner = metresPerPixel.filter((t) => !t.leaf);
    expect(leaves.length).toBeGreaterThan(1);
    expect(inner.length).toBeGreaterThan(0);
    expect(Math.max(...leaves.map((t) => t.m))).toBeLessThan(Math.min(...inner.map((t) => t.m)));
  });
});

describe('tile-seams-in-the-imagery: neighbouring tiles\' ground textures meet', () => {
  it('map tiles coarser than a leaf\'s texels (z12, 30 m a pixel) are resampled up: side by side, two leaves\' edge columns agree', async () => {
    // (before: 23 px over a 700 m leaf, each tile its own grid of 30 m texels clamped at its edge: the map
    // stepped at every tile border, a symbol cut off square)
    const dir = freshDir('tiles-imagery-seams');
    const out = path.join(dir, 'out');
    const r = cli(['tiles', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--imagery', path.join(DATA, 'sf-osm-raster-z12'), '--max-buildings', '300', '-o', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const { PNG } = await import('pngjs');
    const textures = new Map<string, { width: number; height: number; data: Uint8Array }>();
    for (const f of fs.readdirSync(path.join(out, 'tiles'), { recursive: true }) as string[]) {
      if (!f.endsWith('.glb')) continue;
      const bytes = new Uint8Array(fs.readFileSync(path.join(out, 'tiles', f)));
      const rb = await readGlb(bytes, { accessors: false });
      expect(rb.images, f).toHaveLength(1);
      textures.set(f.replace(/\.glb$/, '').split(path.sep).join('/'), PNG.sync.read(Buffer.from(rb.images[0])));
    }
    let pairs = 0;
    for (const [id, a] of textures) {
      const [z, x, y] = id.split('/').map(Number);
      const b = textures.get(`${z}/${x + 1}/${y}`);
      if (!b || b.height !== a.height) continue;
      expect(a.width, id).toBeGreaterThanOrEqual(256);
      // the left tile's last column against the right tile's first, texel by texel (RGB)
      let diff = 0;
      for (let row = 0; row < a.height; row++)
        for (let c = 0; c < 3; c++) diff += Math.abs(a.data[4 * (row * a.width + a.width - 1) + c] - b.data[4 * (row * b.width) + c]);
      expect(diff / (3 * a.height), `${id} | ${z}/${x + 1}/${y}`).toBeLessThan(4);
      pairs++;
    }
    expect(pairs).toBeGreaterThan(0);
  });
});

describe('cityforge tiles --facades texture: the leaves carry facades, coarser tiles stay plain', () => {
  it('leaf contents have facade materials with their textures and texture coordinates; inner contents none; every content validator-clean and read back by loaders.gl', async () => {
    const dir = freshDir('tiles-facades');
    const out = path.join(dir, 'tiles');
    const r = cli(['tiles', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--facades', 'texture', '--max-buildings', '800', '-o', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'tileset.json'), 'utf8'));
    const seen = { leaves: 0, inner: 0 };
    const walk = async (t: TileJson) => {
      const bytes = new Uint8Array(fs.readFileSync(path.join(out, t.content!.uri)));
      await expectValidGlb(bytes);
      await parse(bytes, Tiles3DLoader, { '3d-tiles': { loadGLTF: true }, gltf: { loadImages: false } } as never);
      const { json: g } = await readGlb(bytes);
      const facades = (g.materials as { name: string; pbrMetallicRoughness?: { baseColorTexture?: unknown } }[]).filter((m) => /^facade:/.test(m.name));
      if (t.children?.length) {
        seen.inner++;
        expect(facades, t.content!.uri).toEqual([]);
        expect(g.images ?? []).toEqual([]);
      } else {
        seen.leaves++;
        expect(facades.length, t.content!.uri).toBeGreaterThan(0);
        for (const m of facades) expect(m.pbrMetallicRoughness?.baseColorTexture).toBeDefined();
        expect(g.meshes.some((m: { primitives: { attributes: Record<string, number> }[] }) => m.primitives.some((p) => 'TEXCOORD_0' in p.attributes))).toBe(true);
      }
      for (const c of t.children ?? []) await walk(c);
    };
    await walk(json.root);
    expect(seen.leaves).toBeGreaterThan(1);
    expect(seen.inner).toBeGreaterThan(0);
  });
});
