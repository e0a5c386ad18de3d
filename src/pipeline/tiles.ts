import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError, OutputError, UsageError, outputErrorOf } from '../core/errors.js';
import { sampleValid, type ElevationGrid } from '../core/grid.js';
import { NULL_LOGGER, type Logger } from '../core/logger.js';
import { Summary } from '../core/summary.js';
import { trackTemp, untrackTemp } from '../core/temp.js';
import { counted } from '../core/words.js';
import { ingestToStore } from '../ingest/stream.js';
import { overrideSrs } from '../ingest/ogr.js';
import { rasterExtentInFrame, readElevation } from '../ingest/raster.js';
import { checkInputsExist } from '../ingest/formats.js';
import { CITYJSON_FORMAT } from '../ingest/cityjson.js';
import { createFileAtomic, makeDirs, missingFolder, moveIntoPlace, removeMadeFolders, removeStaleTemporaries, removeWorkFolder, sideFolder, workFolder, writeFileAtomic } from '../io/files.js';
import { anchorsOf, scanStore, type StoredFeatures } from '../store/index.js';
import { distribute } from '../tiles/buckets.js';
import { buildTiles, clearTileset, countKeptTile, gridFile, resumedNote, makePlan, mergeTiles, madeFromDiffers, planFingerprint, readPlan, shardUnits, tileComplete, writeGridFile, writeTileTexture, type TileJob, type TilePlan } from '../tiles/build.js';
import { openImagery, type ImagerySource } from '../ingest/imagery.js';
import { bufferExtent } from '../core/extent.js';
import { allTiles, partition, type QuadGrid, type TileNode } from '../tiles/partition.js';
import { buildTilesInWorkers } from '../tiles/pool.js';
import { checkGlobeOptions, checkRasterInputs, creditOf, elevationInput, groundImagery, ingestOptionsOf, namingInput, noBuildings, rasterOptionsOf, readTerrainFor, TERRAIN_MARGIN, warnHillside, warnJobsPastCores, judgeOffDem, type RasterInput } from './common.js';
import { keptStore, loadStore, saveStore, tilesetFingerprint } from './kept-store.js';
import { PLAN_DEFAULTS, TILES_DEFAULTS, type PlanOptions, type TilesOptions } from './options.js';

/** One work unit of a tileset run (a tile), as `cityforge plan` prints it. */
export interface PlanUnit {
  unit: string;
  index: number;
  level: number;
  buildings: number;
  leaf: boolean;
}

/** Stream the inputs into a feature store in `workDir`; with a DEM, read it over them. */
async function streamInputs(inputs: string[], o: PlanOptions & Partial<TilesOptions>, workDir: string, summary: Summary): Promise<{ store: StoredFeatures; terrain?: RunTerrain }> {
  const store = await ingestToStore(inputs, { ...ingestOptionsOf(o, o.progress), workDir }, o.logger, summary);
  o.progress.done();
  if (store.count === 0) throw noBuildings(inputs, summary);
  // (parts-read-as-buildings: Vienna's 149 buildings and 443 parts read "592 buildings")
  const parts = store.parts.length;
  o.logger.info(`read ${parts ? `${store.count - parts} buildings and ${counted(parts, 'building part')}` : `${store.count} buildings`} into ${path.resolve(store.file)} (${(fs.statSync(store.file).size / 1e6).toFixed(1)} MB)`);
  const terrain = o.terrain ? await terrainOver(store, o as TilesOptions, summary) : undefined;
  return { store, terrain };
}

/** The quadtree over a store's anchors (and its count grid). */
function storeTree(store: StoredFeatures, maxBuildings: number): { root: TileNode; grid: QuadGrid } {
  return partition(store.anchorExtent, (visit) => anchorsOf(store, (x, y) => visit(x, y)), { maxBuildings });
}

/** The quadtree of a store, and its buildings sorted into their leaves' bucket files under `workDir`. */
function quadtree(store: StoredFeatures, maxBuildings: number, workDir: string): TileNode {
  const { root, grid } = storeTree(store, maxBuildings);
  distribute(store, root, grid, workDir);
  return root;
}

/** A tiles run's DEM: its grid over the buildings and the raster read (a mosaic of elevation tiles is released at the end of the run). */
interface RunTerrain {
  grid: ElevationGrid;
  dem: RasterInput;
}

/** The DEM over a store's buildings ({@link TERRAIN_MARGIN} around them). */
async function terrainOver(store: StoredFeatures, o: TilesOptions, summary: Summary): Promise<RunTerrain> {
  const t = performance.now();
  const dem = await elevationInput(o.terrain!, store.frame, store.extent, o, o.logger, summary);
  try {
    const grid = readTerrainFor(store.extent, store.frame, { ...o, terrain: dem.file, terrainLabel: dem.label }, o.logger, summary);
    summary.time('terrain', (performance.now() - t) / 1000);
    // the buildings (their anchors) outside the DEM's data: each is counted in its leaf tile; here the run
    // says it once, or stops where none stands on it (as build does)
    if (grid.valid) {
      let drawn = 0, off = 0;
      scanStore(store, (row) => {
        if (!row.isOutline || row.stands) return;
        drawn++;
        if (!sampleValid(grid, row.anchorX, row.anchorY)) off++;
      });
      judgeOffDem('tiles', dem.label, off, drawn, o.logger);
    }
    return { grid, dem };
  } catch (e) {
    dem.release();
    throw namingInput(e, dem, '--terrain');
  }
}

/**
 * Where the run's one terrain grid is coarser than the raster (a large area under
 * `terrainMaxSamples`), every leaf tile of `units` gets its own DEM window at the raster's
 * resolution, written to `dir` (read in this thread: GDAL loads in one thread only). Returns the
 * folder, or undefined when the run's grid is fine enough.
 */
function leafWindows(grid: ElevationGrid, units: TileNode[], store: StoredFeatures, o: TilesOptions, dir: string): string | undefined {
  const native = o.terrainResolution > 0 ? o.terrainResolution : Math.max(0.5, rasterExtentInFrame(o.terrain!, store.frame).resolution);
  if (grid.cell <= 1.5 * native) return undefined;
  makeDirs(dir);
  let made = 0;
  for (const leaf of units.filter((n) => !n.children.length)) {
    const m = TERRAIN_MARGIN;
    try {
      const w = readElevation(o.terrain!, store.frame, { minX: leaf.minX - m, minY: leaf.minY - m, maxX: leaf.minX + leaf.size + m, maxY: leaf.minY + leaf.size + m }, rasterOptionsOf({ ...o, terrainMaxSamples: undefined }), NULL_LOGGER, new Summary());
      writeGridFile(gridFile(dir, leaf), w);
      made++;
    } catch {
      // no raster data under this leaf: it stays on the run's grid
    }
  }
  o.logger.info(`terrain: the run's grid is ${grid.cell.toFixed(1)} m (${grid.n} samples a side, --terrain-max-samples); ${made} leaf tiles read their own DEM windows at about ${native.toFixed(1)} m`);
  return dir;
}

/**
 * A leaf's ground texture side at most (pixels). ground-map-blurred-close-up: 512 px over SF's 700 m leaves
 * was 1.4 m a pixel, roads a blur at street level; 1024 px comes near the ground map's own 0.5–0.7 m.
 */
export const LEAF_TEXTURE = 1024;

/**
 * Every tile's ground texture over its square, written to `dir` (resampled in this thread: GDAL
 * loads in one thread only): leaves at the imagery's resolution up to {@link LEAF_TEXTURE} px, coarser tiles up to
 * 256 px, so that they stay small.
 */
function tileTextures(imagery: ImagerySource, units: TileNode[], dir: string, o: TilesOptions, label: string): string {
  makeDirs(dir);
  let bytes = 0;
  for (const node of units) {
    const side = Math.min(o.textureSize, node.children.length ? 256 : LEAF_TEXTURE);
    const t = imagery.textureOver({ minX: node.minX, minY: node.minY, maxX: node.minX + node.size, maxY: node.minY + node.size }, side);
    writeTileTexture(dir, node, t);
    bytes += t.image.byteLength;
  }
  // (ground-map-said-imagery: the log named --imagery when the ground map drew the textures)
  o.logger.info(`ground textures from ${label === 'ground map' ? 'the ground map' : label}: ${units.length} tiles (${(bytes / 1e6).toFixed(1)} MB; leaves up to ${LEAF_TEXTURE} px, coarser tiles 256 px)`);
  return dir;
}

/** The output folder, made and checked writable. */
function outputFolder(dir: string): void {
  try {
    if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new OutputError('tiles', `cannot write ${dir}: a file is there, not a folder`);
    makeDirs(dir);
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    // (a folder that is there but takes no new ones, as /proc, says ENOENT: proc-said-no-folder)
    let up = path.dirname(path.resolve(dir));
    while (!fs.existsSync(up) && path.dirname(up) !== up) up = path.dirname(up);
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new OutputError('tiles', `cannot write ${dir}: the folder ${up} takes no new folders`, { cause: e });
    throw outputErrorOf('tiles', dir, e);
  }
}

/**
 * `build`'s hillside warning for a city model in a store (tiles-said-nothing-of-the-hillside): each building's
 * lowest point (its parts' included) from the rows of the buildings that stand at their own heights.
 */
function warnStoreHillside(store: StoredFeatures, summary: Summary, logger: Logger): void {
  const outlineOf = new Map(store.parts.map(([part, outline]) => [part, outline]));
  const lowest = new Float64Array(store.count).fill(Infinity);
  scanStore(store, (row) => {
    if (!row.stands) return;
    const k = outlineOf.get(row.index) ?? row.index;
    lowest[k] = Math.min(lowest[k], row.minHeight);
  });
  warnHillside(lowest.filter(Number.isFinite), summary, logger);
}

/** The store a tiles run builds from: a kept one (`store`), or the inputs streamed into a private work folder. */
async function tilesStore(inputs: string[], o: TilesOptions, workDir: string, summary: Summary): Promise<{ store: StoredFeatures; terrain?: RunTerrain; root: TileNode }> {
  if (!o.store) {
    const { store, terrain } = await streamInputs(inputs, o, workDir, summary);
    try {
      const t = performance.now();
      const root = quadtree(store, o.maxBuildings, workDir);
      summary.time('partition', (performance.now() - t) / 1000);
      return { store, terrain, root };
    } catch (e) {
      terrain?.dem.release();
      throw e;
    }
  }
  const kept = loadStore(o.store, inputs, o);
  summary.add(kept.ingest);
  summary.featuresRead = kept.ingest.featuresRead;
  summary.inputs.push(...kept.ingest.inputs);
  o.logger.info(`reusing the store in ${path.resolve(o.store)}: ${kept.store.count} buildings (the inputs are not read again)`);
  const terrain = o.terrain ? await terrainOver(kept.store, o, summary) : undefined;
  return { store: kept.store, terrain, root: storeTree(kept.store, o.maxBuildings).root };
}

/**
 * Build an OGC 3D Tiles 1.1 tileset into `o.output`: the inputs are streamed into an on-disk store
 * (memory: a fixed index per building), tiles are built from it one at a time and written atomically
 * as they complete (a rerun resumes). With `shard` or `units` only those tiles are built (and no
 * tileset.json: {@link mergeTiles} assembles it); with `jobs` worker threads build them.
 * Byte-identical output whatever the split.
 *
 * @example
 * ```ts
 * const summary = await buildTileset(['data/sf-mvt'], { output: 'out/sf-tiles', jobs: 2 });
 * // shards on many machines, then one merge:
 * await buildTileset(inputs, { output: '/shared/t', shard: [i, n] });
 * mergeTiles(['/shared/t'], '/shared/t', logger);
 * ```
 */
export async function buildTileset(inputs: string[], options: Partial<TilesOptions> & { output: string }): Promise<Summary> {
  const o: TilesOptions & { output: string } = { ...TILES_DEFAULTS, ...options };
  const summary = new Summary(o.logger);
  o.logger = summary.logger;
  checkGlobeOptions('tiles', inputs, o);
  warnJobsPastCores(o.jobs, o.logger);
  const t0 = performance.now();
  const created = !fs.existsSync(o.output);
  outputFolder(o.output);
  try {
    return await tilesInto(inputs, o, summary, t0);
  } catch (e) {
    // a folder this run made and left empty goes too
    if (created)
      try {
        fs.rmdirSync(o.output);
      } catch {
        // something is in it: kept (complete tiles resume)
      }
    throw e;
  }
}

/**
 * The plan of the tileset already in the output folder; one that is not a cityforge plan is a file in the
 * way, an output error (foreign-plan-said-merge: "cityforge merge: … not a cityforge plan.json", exit 3).
 */
function outputPlan(dir: string): ReturnType<typeof readPlan> {
  try {
    return readPlan(dir);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new OutputError('tiles', `${path.join(dir, 'plan.json')}: not a cityforge plan.json, in the output folder; choose another folder, or --force to build there over it`);
  }
}

/** The body of {@link buildTileset}, into an output folder that exists. */
async function tilesInto(inputs: string[], o: TilesOptions & { output: string }, summary: Summary, t0: number): Promise<Summary> {
  await checkRasterInputs([{ input: o.terrain, zoom: o.demZoom, option: '--terrain' }, { input: o.imagery, zoom: o.imageryZoom, option: '--imagery' }], o.logger);
  removeStaleTemporaries(path.join(o.output, 'tiles'));
  trackTemp(o.output, 'sweep');
  // a folder holding another build is refused before anything is read (its plan's fingerprint is of the
  // inputs and options alone: their content, so a missing one is named first; and an --s-srs GDAL does not
  // know, a usage error, not "other options": s-srs-hidden-by-the-folder)
  checkInputsExist(o.heightsFrom ? [...inputs, o.heightsFrom] : inputs);
  if (o.sSrs) overrideSrs(o.sSrs);
  // units-file-checked-after-the-read: the list is read before the inputs are
  const wanted = o.units ? readUnitsFile(o.units) : undefined;
  const fingerprintOf = tilesetFingerprint(inputs, o);
  // force-left-old-tiles: a whole rebuild over another build clears that build's tiles first (its tiles
  // the new plan does not have were left beside the new ones); shards leave them, as one shard's clearing
  // would take away what another had already built. It clears once the inputs have been read
  // (force-cleared-before-the-inputs-were-checked: a DEM elsewhere wiped the tileset, then exit 3)
  let clearFirst = false;
  if (o.force && !o.shard && !o.units && fs.existsSync(path.join(o.output, 'plan.json'))) {
    let same = false;
    try {
      same = readPlan(o.output).fingerprint === planFingerprint(fingerprintOf);
    } catch {
      // a damaged plan: rebuilt whole
    }
    clearFirst = !same;
  } else if (!o.force && fs.existsSync(path.join(o.output, 'plan.json'))) {
    const before = outputPlan(o.output);
    if (before.fingerprint !== planFingerprint(fingerprintOf)) {
      // rerun-said-not-what-differs: the options (or inputs) that differ, where the plan records them
      const differs = madeFromDiffers(before.madeFrom, fingerprintOf, inputs);
      throw new OutputError('tiles', `${o.output} holds tiles of other inputs or options${differs.length ? ` (${differs.join('; ')})` : ''}; use --force to rebuild, or another folder`);
    }
    // rerun-read-the-whole-input-again: a whole run over a finished tileset of the same inputs and options read
    // every input again (20 s at a million buildings; a scheduler's retry of a job that had succeeded) to keep
    // every tile; the plan and the tiles on disk tell it is finished
    const ids = !o.shard && !o.units ? finishedTiles(o.output, before) : null;
    if (ids) return finished(inputs, o, before, ids, summary, t0);
  }
  // a kept store (plan --store) is reused as it is; otherwise the inputs stream into a private one
  // (a --work-dir the run makes, it removes at the end when empty)
  const madeWorkDir = !o.store && o.workDir ? missingFolder(o.workDir) : null;
  const workDir = o.store ?? workFolder(o.workDir ?? path.join(o.output, '.work'));
  // private scratch (DEM windows): the work folder, or beside a kept store a folder of this process's own
  const scratch = o.store ? workFolder(path.join(o.output, '.work')) : workDir;
  let dem: RasterInput | undefined;
  let imagery: ImagerySource | undefined;
  // the ground's raster (a ground map's is temporary), read while the tiles' textures are cut
  let img: { file: string; label: string; release(): void } | undefined;
  try {
    const { store, terrain, root } = await tilesStore(inputs, o, workDir, summary);
    // (only city models stand at heights of their own: footprints' rows are not scanned for it)
    if (!o.terrain && (o.heightsFrom || inputs.some((i) => CITYJSON_FORMAT.test(i)))) warnStoreHillside(store, summary, o.logger);
    dem = terrain?.dem;
    const grid = terrain?.grid;
    // imagery over the terrain's grid, or the buildings and a margin (its attribution credited)
    const area = grid ? { minX: grid.x0, minY: grid.y0, maxX: grid.x0 + (grid.n - 1) * grid.cell, maxY: grid.y0 + (grid.n - 1) * grid.cell } : bufferExtent(store.extent, TERRAIN_MARGIN);
    img = await groundImagery(inputs, o, store.frame, area, summary, true);
    if (img) imagery = await openImagery(img.file, store.frame, area, { zoom: o.imageryZoom, maxTextureSize: o.textureSize, maxPixels: o.maxRasterPixels, label: img.label }, o.logger, summary);
    const copyright = creditOf(o, summary);
    // (an id the plan does not have is refused before plan.json is written)
    const units = o.units && wanted ? listedUnits(root, o.units, wanted) : o.shard ? shardUnits(root, o.shard) : allTiles(root);
    const read = summary.toJSON();
    const plan = { ...makePlan(root, store.frame, fingerprintOf, copyright), counts: { featuresRead: summary.featuresRead, buildings: store.count, parts: store.parts.length, skipped: read.skipped, warnings: read.warnings } };
    const planFile = path.join(o.output, 'plan.json');
    if (clearFirst) clearTileset('tiles', o.output);
    if (o.force) writeFileAtomic(planFile, JSON.stringify(plan, null, 1) + '\n');
    else if (!createFileAtomic(planFile, JSON.stringify(plan, null, 1) + '\n')) {
      // (runs-mixed-their-tiles: two runs of different options started into one folder together both
      // passed the check above, and each kept the other's tiles; the plan is made once, and a run whose
      // plan differs from the one written meanwhile stops)
      const now = outputPlan(o.output);
      if (now.fingerprint !== plan.fingerprint) {
        const differs = madeFromDiffers(now.madeFrom, fingerprintOf, inputs);
        throw new OutputError('tiles', `${o.output}: another run of other inputs or options started into this folder meanwhile${differs.length ? ` (${differs.join('; ')})` : ''}; use another folder, or --force once it has finished`);
      }
    }
    const t1 = performance.now();
    // resume-unsaid-until-the-end: a rerun says at once what it keeps (an interrupted one said nothing of it)
    // (resumed-run-redid-the-textures: the ground textures and DEM windows of the tiles kept were made again, and
    // said "21 tiles" where 17 were built)
    const todo = o.force ? units : units.filter((n) => !tileComplete(o.output, n.id));
    const complete = units.length - todo.length;
    if (complete) o.logger.info(`tiles: resuming: ${complete} of ${counted(units.length, 'tile')} already complete, kept`);
    // (resumed-rate-counted-the-kept: "294/1260 (92/s)" where 279 were kept, not built: the tiles to build, counted as built)
    let building = 0;
    const onTile = (kept: boolean) => {
      if (!kept) o.progress.update('building tiles', ++building, units.length - complete);
    };
    const demDir = grid && dem ? leafWindows(grid, todo, store, { ...o, terrain: dem.file }, path.join(scratch, 'dem')) : undefined;
    const imageryDir = imagery ? tileTextures(imagery, todo, path.join(scratch, 'imagery'), o, img!.label) : undefined;
    const job: TileJob = { store, workDir, demDir, imageryDir, dir: o.output, force: o.force, compress: o.compress, facades: o.facades, copyright, terrain: grid ? { grid, maxError: o.terrainError, label: o.terrain!, mesh: o.groundMesh !== false } : undefined, base: o.base, rootSquare: { minX: root.minX, minY: root.minY, size: root.size } };
    let counts: { built: number; skipped: number };
    if (o.jobs > 1 && units.length > 1) {
      const jobs = Math.min(o.jobs, units.length);
      const r = await buildTilesInWorkers(jobs, job, units, onTile, o.logger);
      for (const s of r.summaries) summary.add(s);
      o.logger.info(`tiles: ${r.built} built${resumedNote(r.skipped)}, ${jobs} worker threads`);
      counts = r;
    } else {
      counts = await buildTiles(job, units, o.logger, summary, (_d, _total, kept) => onTile(kept));
    }
    summary.tiles = { built: counts.built, kept: counts.skipped, run: units.length, plan: allTiles(root).length, shard: o.shard ? `${o.shard[0]}/${o.shard[1]}` : null, output: path.resolve(o.output) };
    o.progress.done();
    summary.time('tiles', (performance.now() - t1) / 1000);
    const partial = o.units || (o.shard && o.shard[1] > 1);
    // a whole tileset holds every building (and, told apart as `build` tells them, the building parts
    // drawn for their outlines); a shard or a list of units, those of the leaf tiles it built
    if (!partial) {
      summary.buildingsWritten = store.count;
      summary.partsWritten = store.parts.length;
    }
    const t2 = performance.now();
    // (build-silent-for-long: a million buildings' merge ran 15–18 s unsaid; a long run says it begins)
    if (!partial) o.progress.update('writing tileset.json and the find index', 0);
    if (!partial) mergeTiles([o.output], o.output, o.logger);
    // tiles-part-said-nothing-of-merge: a shard or a list of units writes tiles, no tileset.json
    else o.logger.info(`${o.shard && !o.units ? `shard ${o.shard[0]}/${o.shard[1]}` : '--units'}: ${counted(units.length, 'tile')} of ${allTiles(root).length} in ${path.resolve(o.output)}; once every part has run, \`cityforge merge <their folders> -o <folder>\` writes tileset.json`);
    o.progress.done();
    summary.time('merge', (performance.now() - t2) / 1000);
  } finally {
    const t3 = performance.now();
    imagery?.release();
    img?.release();
    dem?.release();
    removeWorkFolder(scratch, !o.workDir);
    if (o.workDir) removeMadeFolders(o.workDir, madeWorkDir);
    untrackTemp(o.output);
    summary.time('clean up', (performance.now() - t3) / 1000);
  }
  summary.time('total', (performance.now() - t0) / 1000);
  return summary;
}

/** The tiles of `plan` when `dir` holds it finished (its tileset.json, and every tile complete), else null. */
function finishedTiles(dir: string, plan: TilePlan): string[] | null {
  if (!fs.existsSync(path.join(dir, 'tileset.json'))) return null;
  const ids = allTiles(plan.tree).map((n) => n.id);
  return ids.every((id) => tileComplete(dir, id)) ? ids : null;
}

/** The summary of a run that found its tileset finished (tiles `ids`): the inputs not read (only hashed), every tile kept. */
function finished(inputs: string[], o: TilesOptions & { output: string }, plan: TilePlan, ids: readonly string[], summary: Summary, t0: number): Summary {
  for (const id of ids) countKeptTile(o.output, id, summary);
  const tiles = ids.length;
  o.logger.info(`tiles: ${path.resolve(o.output)} is finished: its ${counted(tiles, 'tile')} and tileset.json were made from these inputs (the same content) and options; nothing built (--force builds it again)`);
  // (what a rerun that resumes every tile says: scripts read these lines)
  o.logger.info(`tiles: resuming: ${tiles} of ${counted(tiles, 'tile')} already complete, kept`);
  o.logger.info(`tiles: 0 built${resumedNote(tiles)}`);
  summary.inputs.push(...inputs);
  summary.tiles = { built: 0, kept: tiles, run: tiles, plan: tiles, shard: null, output: path.resolve(o.output) };
  if (plan.counts) {
    // (what reading the inputs counted, as the run that read them did)
    const c = plan.counts;
    summary.featuresRead = c.featuresRead;
    summary.buildingsWritten = c.buildings;
    summary.partsWritten = c.parts;
    for (const [k, v] of Object.entries(c.skipped ?? {})) summary.skipped.set(k, (summary.skipped.get(k) ?? 0) + v);
    for (const [k, v] of Object.entries(c.warnings ?? {})) summary.warnings.set(k, (summary.warnings.get(k) ?? 0) + v);
  }
  untrackTemp(o.output);
  summary.time('total', (performance.now() - t0) / 1000);
  return summary;
}

/** The plan units of a tree. */
function unitsOf(root: TileNode): PlanUnit[] {
  return allTiles(root).map((n, k) => ({ unit: n.id, index: k, level: n.level, buildings: n.count, leaf: n.children.length === 0 }));
}

/**
 * The independent work units (tiles) of a tileset run. With `store`, the streamed feature store is
 * kept in that folder (made once, or reused when complete and made from the same inputs and
 * options), for `buildTileset({ store })` shards to reuse without reading the inputs.
 *
 * @example
 * ```ts
 * for (const u of await planTiles(['city.osm.pbf'], { store: '/shared/store' })) console.log(u.unit);
 * ```
 */
export async function planTiles(inputs: string[], options: Partial<PlanOptions> = {}): Promise<PlanUnit[]> {
  const o: PlanOptions = { ...PLAN_DEFAULTS, ...options };
  const summary = new Summary(o.logger);
  o.logger = summary.logger;
  if (o.store) {
    const dir = o.store;
    const kept = keptStore(dir, inputs, o);
    if (typeof kept === 'object' && 'store' in kept) return unitsOf(storeTree(kept.store, o.maxBuildings).root);
    // (store-replaced-under-the-shards: a plan of other inputs silently replaced the store running shards read)
    if (typeof kept === 'object' && !o.replaceStore) throw new OutputError('plan', `--store ${dir} holds a store made from other inputs or options${kept.other.length ? ` (${kept.other.join('; ')})` : ''} (shards may be reading it); give another folder, or --replace-store to make it again there`);
    if (fs.existsSync(dir) && fs.readdirSync(dir).length && !fs.existsSync(path.join(dir, 'store.json')) && !fs.existsSync(path.join(dir, 'rows.bin')))
      throw new UsageError('plan', `--store ${dir}: a folder with other things in it; give an empty or new folder`);
    // (store-wiped-by-a-second-plan: made beside the folder and moved into place whole; a plan of the same
    // inputs and options that finished first keeps its store)
    const side = sideFolder(dir);
    let root: TileNode;
    try {
      const { store, terrain } = await streamInputs(inputs, o, side, summary);
      terrain?.dem.release();
      root = quadtree(store, o.maxBuildings, side);
      saveStore(side, inputs, o, store, summary.toJSON());
      const now = keptStore(dir, inputs, o);
      if (typeof now === 'object' && 'store' in now) o.logger.info(`--store ${dir}: another plan made the same store meanwhile; kept`);
      else moveIntoPlace(side, dir);
    } finally {
      fs.rmSync(side, { recursive: true, force: true });
      untrackTemp(side);
    }
    return unitsOf(root);
  }
  const madeWorkDir = o.workDir ? missingFolder(o.workDir) : null;
  const base = o.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cityforge-plan-'));
  if (!o.workDir) trackTemp(base, 'dir');
  const workDir = workFolder(base);
  try {
    const { store, terrain } = await streamInputs(inputs, o, workDir, summary);
    terrain?.dem.release();
    return unitsOf(storeTree(store, o.maxBuildings).root);
  } finally {
    removeWorkFolder(workDir, false);
    if (o.workDir) removeMadeFolders(o.workDir, madeWorkDir);
    if (!o.workDir) {
      fs.rmSync(base, { recursive: true, force: true });
      untrackTemp(base);
    }
  }
}

/**
 * The unit ids a units file lists (bare ids, or lines of `cityforge plan`). A missing or unreadable file,
 * or a line that is neither, is an input error (exit 3).
 */
function readUnitsFile(file: string): Set<string> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError('tiles', `--units ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file of unit ids' : (e as Error).message}`);
  }
  const wanted = new Set<string>();
  text.split('\n').forEach((line, k) => {
    const t = line.trim();
    if (!t) return;
    let id = t;
    if (t.startsWith('{')) {
      try {
        id = String((JSON.parse(t) as { unit?: unknown }).unit);
      } catch {
        throw new InputError('tiles', `--units ${file} line ${k + 1}: not a unit id or a plan line: ${t.slice(0, 80)}`);
      }
    } else if (!/^\d+\/\d+\/\d+$/.test(t)) throw new InputError('tiles', `--units ${file} line ${k + 1}: not a unit id (level/x/y) or a plan line: ${t.slice(0, 80)}`);
    wanted.add(id);
  });
  return wanted;
}

/** The tiles of `wanted` (read from `file`), in tree order; an id the plan does not have is a usage error. */
function listedUnits(root: TileNode, file: string, wanted: Set<string>): TileNode[] {
  const all = allTiles(root);
  const known = new Set(all.map((n) => n.id));
  for (const id of wanted) if (!known.has(id)) throw new UsageError('tiles', `--units ${file}: ${id} is not a unit of this plan (see cityforge plan)`);
  return all.filter((n) => wanted.has(n.id));
}

export { mergeTiles };
