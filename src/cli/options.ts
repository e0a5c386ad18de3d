import { Command, InvalidArgumentError, Option } from 'commander';
import type { AttributeSelection } from '../ingest/options.js';
import { DEM_ENCODINGS, type DemEncoding } from '../core/grid.js';
import { BUILD_DEFAULTS, FACADE_MODES, IMAGERY_RUN_DEFAULTS, PLAN_DEFAULTS, TERRAIN_DEFAULTS, TILES_DEFAULTS, type BaseMode, type ImageryRunOptions, type ReadOptions, type TerrainOptions } from '../pipeline/options.js';

/**
 * The options shared by several commands, declared once, their defaults taken from the pipeline's
 * `XXX_DEFAULTS`, and the typed adapters from commander's parsed values to the pipeline's options.
 */

/** A parser for a positive number option. */
export const positive = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`);
  return n;
};

/** A parser for `--lod`: a CityJSON level of detail, 0–3 with an optional decimal (`2.2`). */
export const lodLevel = (v: string): string => {
  if (!/^[0-3](\.[0-9])?$/.test(v.trim())) throw new InvalidArgumentError('--lod must be a CityJSON level of detail: 0, 1, 2 or 3, with an optional decimal (1.2, 2.2)');
  return v.trim();
};

/** A parser for a positive number option up to `max`. */
export const upTo = (name: string, max: number) => (v: string): number => {
  const n = positive(name)(v);
  if (n > max) throw new InvalidArgumentError(`${name} must be at most ${max}`);
  return n;
};

/** A parser for a positive whole number option. */
export const count = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive whole number`);
  return n;
};

/** A parser for a tile zoom, 0–30. */
export const zoomLevel = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 30) throw new InvalidArgumentError(`${name} must be a tile zoom, 0–30`);
  return n;
};

/** `--dem-zoom` and `--dem-encoding`: how elevation raster tiles are read. */
export function demTileOptions(c: Command): Command {
  return c
    .addOption(new Option('--dem-zoom <z>', 'elevation tiles: the zoom read (default: the finest available)').argParser(zoomLevel('--dem-zoom')))
    .addOption(new Option('--dem-encoding <encoding>', "elevation tiles: how heights are packed in RGB, where the archive's metadata does not say (default: told by the pixels)").choices([...DEM_ENCODINGS]));
}

/** Options of the commands that drape imagery on the ground (build). */
export function imageryOptions(c: Command): Command {
  return c
    .option('--imagery <tiles|raster>', 'imagery draped on the ground (the terrain, or a flat ground without one): raster tiles (z/x/y folder of PNG/JPEG/WebP, MBTiles, PMTiles) or any GDAL raster (GeoTIFF orthophoto, COG)')
    .addOption(new Option('--imagery-zoom <z>', 'imagery tiles: the zoom read (default: the finest available)').argParser(zoomLevel('--imagery-zoom')))
    .addOption(new Option('--texture-size <px>', 'largest side of the ground texture (a larger area is resampled coarser)').argParser(count('--texture-size')).default(IMAGERY_RUN_DEFAULTS.textureSize))
    .addOption(new Option('--ground-map', "draw the ground from the vector tile inputs' own land use, land cover, water, road and rail layers (offline, OpenStreetMap Carto colours) instead of --imagery").conflicts('imagery'));
}

/** What commander gives for {@link imageryOptions}. */
export interface ImageryArgs {
  imagery?: string;
  imageryZoom?: number;
  textureSize: number;
  groundMap?: boolean;
}

/** The pipeline's imagery options from the command line's. */
export function imageryOptionsOf(a: ImageryArgs): ImageryRunOptions {
  return { imagery: a.imagery, imageryZoom: a.imageryZoom, textureSize: a.textureSize, groundMap: !!a.groundMap };
}

/** Parse `lon,lat` in degrees. */
export const lonLat = (v: string): [number, number] => {
  const p = v.split(',').map(Number);
  if (p.length !== 2 || p.some((x) => !Number.isFinite(x)) || Math.abs(p[1]) > 90 || Math.abs(p[0]) > 180) throw new InvalidArgumentError('expected lon,lat in degrees (|lon| ≤ 180, |lat| ≤ 90)');
  return [p[0], p[1]];
};

/** Parse `--attributes`: `all`, `none`, or a comma-separated list of names. */
export const attributeList = (v: string): AttributeSelection => {
  const t = v.trim();
  if (t === 'all' || t === 'none') return t;
  const names = t.split(',').map((s) => s.trim()).filter(Boolean);
  if (!names.length) throw new InvalidArgumentError('expected all, none, or attribute names separated by commas');
  return names;
};

/** Parse `i/N` (0 ≤ i < N). */
export function parseShard(v: string): [number, number] {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  if (!m || +m[2] < 1 || +m[1] >= +m[2]) throw new InvalidArgumentError(`--shard takes i/N with 0 ≤ i < N (got ${v})`);
  return [+m[1], +m[2]];
}

/** `-q`, `-v` and `--json`: every command has the first two. */
export function verbosityOptions(c: Command, json = true): Command {
  c.option('-q, --quiet', 'only errors').option('-v, --verbose', 'debug logging: every skipped feature and every warning, named (file, layer, feature id)');
  if (json) c.option('--json', 'print the run summary as JSON on stdout');
  return c;
}

/**
 * Options of every command that reads footprints (build, tiles, plan, rasterize, infer). Without
 * `heights` (infer: it finds the heights) the options that only give buildings their heights or credit
 * an output are left out of the command and its help.
 */
export function readOptions(c: Command, { heights = true }: { heights?: boolean } = {}): Command {
  c.option('--layer <names...>', 'layer(s) to read (default: OSM multipolygons; MVT building; otherwise every polygon layer)')
    .option('--where <sql>', 'OGR SQL attribute filter, e.g. "height > 20" (default for OSM: building or building:part)')
    .option('--s-srs <crs>', 'source CRS, overriding the file (EPSG:xxxx, WKT, PROJ); required when a source has none');
  if (heights)
    c.addOption(new Option('--level-height <m>', 'metres per building:levels storey').argParser(upTo('--level-height', 100)).default(BUILD_DEFAULTS.levelHeight))
      .addOption(new Option('--default-height <m>', 'height of buildings with no usable height or levels').argParser(upTo('--default-height', 1000)).default(BUILD_DEFAULTS.defaultHeight));
  c.addOption(new Option('--origin <lon,lat>', 'origin of the local frame, within 100 km of the data (default: centre of the data)').argParser(lonLat))
    .addOption(new Option('--attributes <all|none|list>', 'source attributes carried into the property table: all, none, or names separated by commas (* matches: addr:*); default all, OSM data a set of names, addresses and building tags').argParser(attributeList))
    .option('--types <names...>', 'CityJSON: the city-object types to read, each with its parts (default: Building), e.g. Building Bridge')
    .addOption(new Option('--lod <lod>', `CityJSON: the level of detail to read, e.g. 2.2 or 1.2 (default: the highest each object has; 0: its footprint, built like any other${heights ? "; with --heights-from: the model's level, default its coarsest above 0" : ''})`).argParser(lodLevel));
  if (heights)
    c.option('--heights-from <model>', 'a city model (CityJSON, e.g. from 3dfier or 3DBAG) whose buildings give the footprints their heights, joined by --join-on')
      .option('--join-on <attribute>', "with --heights-from: the footprints' attribute whose value names their building in the model: matched against the model objects' ids, and their attribute of the same name (e.g. lokaalid)")
      .option('--attribution <text>', 'who the data is by, credited in the outputs (default: what the sources say; OpenStreetMap for OSM data and vector tiles without metadata)');
  return c.addOption(new Option('--max-tile-mb <mb>', 'largest vector tile, compressed or not (a gzip bomb stops there)').argParser(positive('--max-tile-mb')).default(64));
}

/** `--ellipsoidal-heights` (build, tiles, plan): the frame's origin on the geoid, for globes in ellipsoidal heights. */
export function ellipsoidalOption(c: Command): Command {
  return c.option(
    '--ellipsoidal-heights',
    "heights above the WGS84 ellipsoid, not above sea level: the city moves by the EGM96 geoid's height at its origin (down 32 m in San Francisco, up 43 m in the Netherlands), so it stands on globes whose terrain is in ellipsoidal heights (CesiumJS World Terrain, Google's photorealistic 3D Tiles)",
  );
}

/** Options of every command that reads a DEM under the buildings (build, tiles). */
export function terrainOptions(c: Command): Command {
  return demTileOptions(c)
    .option('--terrain <raster|tiles>', 'DEM: any GDAL raster in any CRS, elevation raster tiles (Terrarium / Terrain-RGB: z/x/y folder, z-x-y.png, MBTiles, PMTiles), or a LiDAR point cloud (.las/.laz: its ground points, class 2, on a 1 m grid); seat the buildings on it and mesh the ground')
    .addOption(new Option('--terrain-error <m>', 'largest vertical error of the terrain mesh').argParser(positive('--terrain-error')).default(TERRAIN_DEFAULTS.terrainError))
    .addOption(new Option('--terrain-resolution <m>', "terrain grid spacing (default: about the raster's)").argParser(positive('--terrain-resolution')))
    .addOption(new Option('--terrain-max-samples <n>', 'largest side of the one terrain grid over the whole area (memory: 4 bytes a sample); tiles: where that grid is coarser than the raster, each leaf tile reads its own DEM window').argParser(count('--terrain-max-samples')).default(TERRAIN_DEFAULTS.terrainMaxSamples))
    .addOption(new Option('--z-scale <factor>', 'multiply raster values by this (e.g. 0.3048 for feet)').argParser(positive('--z-scale')).default(TERRAIN_DEFAULTS.zScale))
    .addOption(new Option('--base <mode>', 'building base elevation from the terrain under the footprint').choices(['min', 'mean', 'centroid']).default(TERRAIN_DEFAULTS.base))
    .addOption(terrainBandOption())
    .addOption(maxRasterOption())
    .option('--no-ground-mesh', "with --terrain: seat the buildings on it but write no ground (for a client with terrain of its own: a globe such as CesiumJS with World Terrain; see --ellipsoidal-heights)");
}

/** `--terrain-band`: the band of a multi-band raster that holds elevations. */
export const terrainBandOption = () => new Option('--terrain-band <n>', 'the band holding elevations, for a raster of several bands (a multi-band raster is refused without it)').argParser(count('--terrain-band'));

/** `--max-raster-mpx`: the most source pixels one DEM read may touch. */
export const maxRasterOption = () => new Option('--max-raster-mpx <n>', 'the most source pixels (millions) one DEM read may touch; a raster declaring more stops with an error (give it overviews: gdaladdo)').argParser(positive('--max-raster-mpx')).default(TERRAIN_DEFAULTS.maxRasterPixels / 1e6);

/** Options of the commands that plan tiles (tiles, plan). */
export function planOptions(c: Command, storeWhat: string): Command {
  return c
    .addOption(new Option('--max-buildings <n>', 'a tile with more buildings is split (quadtree)').argParser(count('--max-buildings')).default(PLAN_DEFAULTS.maxBuildings))
    .addOption(new Option('--work-dir <dir>', 'where the streamed features are spilled (about 0.4 KB per building; default: <output>/.work, plan: the temp folder); removed at the end'))
    .addOption(new Option('--store <dir>', storeWhat).conflicts('workDir'));
}

/** What commander gives for {@link readOptions}. */
export interface ReadArgs {
  layer?: string[];
  where?: string;
  sSrs?: string;
  levelHeight: number;
  defaultHeight: number;
  origin?: [number, number];
  attributes?: AttributeSelection;
  attribution?: string;
  maxTileMb: number;
  types?: string[];
  lod?: string;
  heightsFrom?: string;
  joinOn?: string;
  ellipsoidalHeights?: boolean;
}

/** What commander gives for {@link terrainOptions}. */
export interface TerrainArgs {
  terrain?: string;
  terrainError: number;
  terrainResolution?: number;
  terrainMaxSamples: number;
  zScale: number;
  base: BaseMode;
  terrainBand?: number;
  maxRasterMpx: number;
  demZoom?: number;
  demEncoding?: DemEncoding;
  groundMesh?: boolean;
}

/** What commander gives for {@link verbosityOptions}. */
export interface VerbosityArgs {
  quiet?: boolean;
  verbose?: boolean;
  json?: boolean;
}

/** The pipeline's read options from the command line's. */
export function readOptionsOf(a: ReadArgs): Partial<ReadOptions> {
  const o: Partial<ReadOptions> = { layers: a.layer, where: a.where, sSrs: a.sSrs, levelHeight: a.levelHeight, defaultHeight: a.defaultHeight, origin: a.origin, attributes: a.attributes, attribution: a.attribution, maxTileBytes: Math.floor(a.maxTileMb * 2 ** 20), cityObjectTypes: a.types, lod: a.lod, heightsFrom: a.heightsFrom, joinOn: a.joinOn, ellipsoidalHeights: a.ellipsoidalHeights };
  // (an option the command does not take is left to the defaults, not set to undefined over them)
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<ReadOptions>;
}

/** The pipeline's terrain options from the command line's. */
export function terrainOptionsOf(a: TerrainArgs): TerrainOptions {
  return { terrain: a.terrain, terrainError: a.terrainError, terrainResolution: a.terrainResolution ?? 0, terrainMaxSamples: a.terrainMaxSamples, zScale: a.zScale, base: a.base, terrainBand: a.terrainBand, maxRasterPixels: Math.round(a.maxRasterMpx * 1e6), demZoom: a.demZoom, demEncoding: a.demEncoding, groundMesh: a.groundMesh !== false };
}

export { TILES_DEFAULTS };

/** `--facades`: how walls are dressed (build, tiles). */
export function facadeOption(c: Command): Command {
  return c.addOption(new Option('--facades <mode>', 'walls: texture (storeys, windows and doors from building:levels and entrance nodes, or 3 m storeys, as a small repeating texture per look: homes, shops and offices, glass), geometry (the same windows and doors cut into the walls as real openings with recessed panes: for close-up views; many more triangles) or none (plain)').choices([...FACADE_MODES]).default('none'));
}

