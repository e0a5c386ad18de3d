import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InputError, UsageError, inputErrorOf } from '../core/errors.js';
import type { SummaryJSON } from '../core/summary.js';
import { writeFileAtomic } from '../io/files.js';
import type { StoredFeatures } from '../store/index.js';
import { madeFromDiffers } from '../tiles/build.js';
import type { PlanOptions, TilesOptions } from './options.js';

/**
 * A feature store kept in a folder (`plan --store`), reused by `tiles --store` runs without reading
 * the inputs again: what the folder holds besides the store's files is `store.json`, written last
 * (it marks the store complete).
 */
interface SavedStore {
  version: 1;
  /** Of the inputs and the options the store depends on. */
  fingerprint: string;
  /** The store, its file paths relative to the folder. */
  store: StoredFeatures;
  /** The counts of the read that made it (read, skipped, warnings). */
  ingest: SummaryJSON;
  /** What the fingerprint is of (inputs and options), so that a refusal names what differs; absent in older stores. */
  madeFrom?: unknown;
}

/** A kept store, its paths resolved, and the counts of the read that made it. */
export interface KeptStore {
  store: StoredFeatures;
  ingest: SummaryJSON;
}

/** Stamps made in this process, by path, size and time (a file is read once however often it is asked about). */
const stamps = new Map<string, [number, string]>();

/**
 * An input's stamp: its size in bytes and a hash of its content — a folder's: of every file below it
 * (names starting with a dot aside), with their paths within it; a Shapefile's: with its sidecar files
 * (.dbf, .shx, .prj, .cpg). Where the input lies and when it was written do not count
 * (shards-refused-a-touched-input: `touch`, a copy, or a share mounted at another path on another
 * node made a finished tileset "of other inputs", exit 4), and the outputs that record it (plan.json)
 * are the same wherever the input lies.
 */
export function stampOf(p: string): [number, string] {
  const s = fs.statSync(p);
  const key = `${path.resolve(p)}|${s.size}|${s.mtimeMs}|${s.ino}`;
  const known = stamps.get(key);
  if (known) return known;
  const hash = crypto.createHash('sha256');
  let size = 0;
  const chunk = Buffer.allocUnsafe(1 << 22);
  const add = (file: string, name: string) => {
    hash.update(`${name}\0`);
    const fd = fs.openSync(file, 'r');
    try {
      for (let n; (n = fs.readSync(fd, chunk, 0, chunk.length, null)) > 0; ) hash.update(chunk.subarray(0, n)), (size += n);
    } finally {
      fs.closeSync(fd);
    }
    hash.update('\0');
  };
  if (s.isDirectory()) {
    const walk = (dir: string, rel: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (e.name.startsWith('.')) continue;
        const q = path.join(dir, e.name);
        if (e.isDirectory()) walk(q, `${rel}${e.name}/`);
        else if (e.isFile()) add(q, `${rel}${e.name}`);
      }
    };
    walk(p, '');
  } else {
    add(p, '');
    if (/\.shp$/i.test(p)) {
      const stem = p.slice(0, -4);
      for (const ext of ['.dbf', '.shx', '.prj', '.cpg', '.DBF', '.SHX', '.PRJ', '.CPG']) if (fs.existsSync(stem + ext)) add(stem + ext, ext.toLowerCase());
    }
  }
  const stamp: [number, string] = [size, hash.digest('hex').slice(0, 16)];
  stamps.set(key, stamp);
  return stamp;
}

/** The read options as fingerprints record them (the names and absent values of the first versions, so old outputs still match). */
function readKeys(o: PlanOptions): Record<string, unknown> {
  return { layer: o.layers ?? null, where: o.where ?? null, sSrs: o.sSrs ?? null, levelHeight: o.levelHeight, defaultHeight: o.defaultHeight, origin: o.origin ?? null, ...(o.attributes ? { attributes: o.attributes } : {}), ...(o.cityObjectTypes ? { types: o.cityObjectTypes } : {}), ...(o.lod !== undefined ? { lod: o.lod } : {}), ...(o.ellipsoidalHeights ? { ellipsoidalHeights: true } : {}), ...(o.heightsFrom ? { heightsFrom: stampOf(o.heightsFrom), joinOn: o.joinOn ?? null } : {}) };
}

/** What a store depends on: the inputs (their content: {@link stampOf}), the ingest options and the tile budget. */
export function storeFingerprint(inputs: string[], o: PlanOptions): string {
  return crypto.createHash('sha256').update(JSON.stringify(storeMadeFrom(inputs, o))).digest('hex').slice(0, 16);
}

/** What a store's fingerprint is of: the inputs (their content: {@link stampOf}), the ingest options and the tile budget. */
function storeMadeFrom(inputs: string[], o: PlanOptions): { inputs: [number, string][]; options: Record<string, unknown> } {
  return { inputs: inputs.map(stampOf), options: { ...readKeys(o), maxBuildings: o.maxBuildings } };
}

/** What a tileset depends on: the inputs (their content: {@link stampOf}) and the options that change the output (not -q, --json, --jobs, --shard). */
export function tilesetFingerprint(inputs: string[], o: TilesOptions): unknown {
  const options = {
    ...readKeys(o),
    terrainError: o.terrainError,
    terrainResolution: o.terrainResolution,
    zScale: o.zScale,
    base: o.base,
    maxBuildings: o.maxBuildings,
    compress: o.compress ? true : null,
    terrainMaxSamples: o.terrainMaxSamples,
    ...(o.terrainBand ? { terrainBand: o.terrainBand } : {}),
    ...(o.attribution !== undefined ? { attribution: o.attribution } : {}),
    ...(o.demZoom !== undefined ? { demZoom: o.demZoom } : {}),
    ...(o.demEncoding ? { demEncoding: o.demEncoding } : {}),
    ...(o.imagery ? { imageryZoom: o.imageryZoom ?? null, textureSize: o.textureSize } : {}),
    ...(o.groundMap ? { groundMap: true } : {}),
    ...(o.groundMesh === false ? { groundMesh: false } : {}),
    // (facades-change-resumed: a rerun with other facades kept the old tiles)
    ...(o.facades && o.facades !== 'none' ? { facades: o.facades } : {}),
  };
  return { inputs: inputs.map(stampOf), terrain: o.terrain ? stampOf(o.terrain) : null, ...(o.imagery ? { imagery: stampOf(o.imagery) } : {}), options };
}

/** The kept store in `dir` if it is complete and was made from these inputs and options. */
export function keptStore(dir: string, inputs: string[], o: PlanOptions): KeptStore | 'missing' | { other: string[] } {
  const file = path.join(dir, 'store.json');
  if (!fs.existsSync(file)) return 'missing';
  let saved: SavedStore;
  try {
    saved = JSON.parse(fs.readFileSync(file, 'utf8')) as SavedStore;
    if (saved.version !== 1 || typeof saved.store?.file !== 'string' || typeof saved.store.rowsFile !== 'string') throw new Error('not a cityforge store description');
  } catch (e) {
    throw inputErrorOf('tiles', `--store ${dir}: store.json is damaged; make the store again with cityforge plan --store`, e);
  }
  if (saved.fingerprint !== storeFingerprint(inputs, o)) return { other: madeFromDiffers(saved.madeFrom, storeMadeFrom(inputs, o), inputs) };
  return { store: { ...saved.store, file: path.join(dir, saved.store.file), rowsFile: path.join(dir, saved.store.rowsFile) }, ingest: saved.ingest };
}

/** Load a kept store; throws when it is missing or was made from other inputs or options. */
export function loadStore(dir: string, inputs: string[], o: PlanOptions): KeptStore {
  const kept = keptStore(dir, inputs, o);
  if (kept === 'missing') throw new UsageError('tiles', `--store ${dir}: no store there; make it first with cityforge plan <inputs...> --store ${dir}`);
  // (store-refusal-named-every-option: the options that differ are named, where the store records them)
  if ('other' in kept) throw new InputError('tiles', `--store ${dir} was made from other inputs or options (${kept.other.length ? kept.other.join('; ') : '--layer, --where, --s-srs, heights, --origin, --ellipsoidal-heights, --max-buildings'}); make it again with cityforge plan --store ${dir} --replace-store`);
  return kept;
}

/** Save a store made in `dir` as a kept store (`store.json`, written last). */
export function saveStore(dir: string, inputs: string[], o: PlanOptions, store: StoredFeatures, ingest: SummaryJSON): void {
  const saved: SavedStore = { version: 1, fingerprint: storeFingerprint(inputs, o), madeFrom: storeMadeFrom(inputs, o), store: { ...store, file: path.relative(dir, store.file), rowsFile: path.relative(dir, store.rowsFile) }, ingest };
  writeFileAtomic(path.join(dir, 'store.json'), JSON.stringify(saved) + '\n');
}
