import type { DemEncoding } from '../core/grid.js';
import { INGEST_DEFAULTS, type IngestOptions } from '../ingest/options.js';
import { NULL_LOGGER, type Logger } from '../core/logger.js';
import { NULL_PROGRESS, type Progress } from '../core/progress.js';

/**
 * The options of every pipeline run, with their defaults, in a module of their own (no GDAL): the
 * CLI's option defaults are read from here, so each default is declared once.
 */

import type { BaseMode } from '../procedural/index.js';
import { INFER_SHAPES } from '../inverse/index.js';

export type { BaseMode } from '../procedural/index.js';

/** What every run is given to report with. */
export interface RunContext {
  /** Where log lines go (default: nowhere). */
  logger: Logger;
  /** Where progress goes (default: nowhere). */
  progress: Progress;
}

/** Defaults for {@link RunContext}. */
export const RUN_DEFAULTS: RunContext = { logger: NULL_LOGGER, progress: NULL_PROGRESS };

/** Options of a run that reads footprints (`build`, `tiles`, `plan`). */
export interface ReadOptions extends Omit<IngestOptions, 'onProgress'> {
  /** Who the data is by, credited in the outputs; default: what the sources say (OpenStreetMap for OSM data and vector tiles without metadata). */
  attribution?: string;
}

/** Defaults for {@link ReadOptions}. */
export const READ_DEFAULTS: ReadOptions = { ...INGEST_DEFAULTS };

/** Options of a run that reads a DEM. */
export interface TerrainOptions {
  /**
   * DEM to seat the buildings on and to mesh: any GDAL raster, any CRS, or elevation raster tiles
   * (a z/x/y folder, a `z-x-y.png`, MBTiles, PMTiles; Terrarium or Terrain-RGB).
   */
  terrain?: string;
  /** Elevation tiles: the zoom read (default the finest available). */
  demZoom?: number;
  /** Elevation tiles: the encoding, where the archive's metadata does not say (else told by the pixels). */
  demEncoding?: DemEncoding;
  /** Largest vertical error of the terrain mesh (metres). */
  terrainError: number;
  /** Terrain grid spacing (metres); 0: about the raster's. */
  terrainResolution: number;
  /** Largest side of the one terrain grid (samples); `tiles`: beyond it, leaf tiles read their own DEM windows. */
  terrainMaxSamples: number;
  /** Multiply raster values by this (vertical units other than metres). */
  zScale: number;
  /** How a building's base is taken from the terrain under it. */
  base: BaseMode;
  /** The band holding elevations, for a raster of several bands. */
  terrainBand?: number;
  /** The most source pixels one DEM read may touch (a raster declaring millions of pixels a side stops there). */
  maxRasterPixels: number;
  /**
   * Mesh the ground of `terrain` into the output (default). `false`: the buildings are seated on the DEM and no
   * ground is written, for a client with terrain of its own (a globe: CesiumJS World Terrain, Google's 3D Tiles).
   */
  groundMesh: boolean;
}

/** Defaults for {@link TerrainOptions}. */
export const TERRAIN_DEFAULTS: TerrainOptions = { terrainError: 1, terrainResolution: 0, terrainMaxSamples: 4097, zScale: 1, base: 'min', maxRasterPixels: 1 << 30, groundMesh: true };

/** Options of a run that drapes imagery on the ground. */
export interface ImageryRunOptions {
  /** Imagery for the ground: raster tiles (a z/x/y folder, MBTiles, PMTiles) or any GDAL raster (GeoTIFF, COG). */
  imagery?: string;
  /** Imagery tiles: the zoom read (default the finest available). */
  imageryZoom?: number;
  /** Largest side of the ground texture (pixels). */
  textureSize: number;
  /** Draw the ground from the vector tile inputs' own land use, water and road layers (instead of `imagery`). */
  groundMap?: boolean;
}

/** Defaults for {@link ImageryRunOptions}. */
export const IMAGERY_RUN_DEFAULTS: ImageryRunOptions = { textureSize: 4096 };

/** Options of {@link buildGlb}. */
export interface BuildOptions extends ReadOptions, TerrainOptions, ImageryRunOptions, RunContext {
  /** EXT_meshopt_compression (clients need the meshopt decoder). */
  compress: boolean;
  /** Facades: `texture` (storeys and windows as a repeating texture on the walls) or `none` (plain walls). */
  facades: FacadeMode;
  /** A GLB larger than this (bytes) is warned of, pointing to `tiles` (viewers load a GLB whole). */
  largeGlbBytes?: number;
}

/** Defaults for {@link BuildOptions}. */
export const BUILD_DEFAULTS: BuildOptions = { ...READ_DEFAULTS, ...TERRAIN_DEFAULTS, ...IMAGERY_RUN_DEFAULTS, ...RUN_DEFAULTS, compress: false, facades: 'none', largeGlbBytes: 512 * 2 ** 20 };

/** How walls are dressed: plain, or storeys and windows as a texture. */
export type FacadeMode = 'none' | 'texture' | 'geometry';
/** Every {@link FacadeMode}. */
export const FACADE_MODES: readonly FacadeMode[] = ['none', 'texture', 'geometry'];

/** Options of {@link buildTerrainGlb}. */
export interface TerrainGlbOptions extends Omit<TerrainOptions, 'terrain' | 'base' | 'terrainMaxSamples' | 'groundMesh'>, RunContext {}

/** Defaults for {@link TerrainGlbOptions}. */
export const TERRAIN_GLB_DEFAULTS: TerrainGlbOptions = { terrainError: 1, terrainResolution: 0, zScale: 1, maxRasterPixels: TERRAIN_DEFAULTS.maxRasterPixels, ...RUN_DEFAULTS };

/** Options of {@link planTiles}. */
export interface PlanOptions extends ReadOptions, RunContext {
  /** A tile with more buildings is split (quadtree). */
  maxBuildings: number;
  /** Folder for the streamed features (default: a temporary folder); removed at the end. */
  workDir?: string;
  /** Keep the feature store in this folder, for `tiles --store` runs to reuse (shards on many machines). */
  store?: string;
  /** Replace a store in `store` made from other inputs or options (refused otherwise: shards may be reading it). */
  replaceStore?: boolean;
}

/** Defaults for {@link PlanOptions}. */
export const PLAN_DEFAULTS: PlanOptions = { ...READ_DEFAULTS, ...RUN_DEFAULTS, maxBuildings: 2000 };

/** Options of {@link buildTileset}. */
export interface TilesOptions extends PlanOptions, TerrainOptions, ImageryRunOptions {
  /** EXT_meshopt_compression of the tile contents. */
  compress: boolean;
  /** Facades on the leaf tiles (coarser tiles stay plain boxes and blocks). */
  facades: FacadeMode;
  /** Build only share i of N of the tiles (then `mergeTiles`). */
  shard?: [number, number];
  /** Build only the tiles listed in this file (ids or `plan` lines; then `mergeTiles`). */
  units?: string;
  /** Worker threads building tiles (same bytes for any number). */
  jobs: number;
  /** Rebuild tiles already complete (default: a rerun resumes). */
  force: boolean;
}

/** Defaults for {@link TilesOptions}. */
export const TILES_DEFAULTS: TilesOptions = { ...PLAN_DEFAULTS, ...TERRAIN_DEFAULTS, ...IMAGERY_RUN_DEFAULTS, compress: false, facades: 'none', jobs: 1, force: false };

/** Options of {@link inferParams}. */
export interface InferOptions extends ReadOptions, RunContext {
  /** The surface model (DSM): any GDAL raster, any CRS. */
  dsm: string;
  /** The terrain model (DTM); without it, each building's ground is estimated from the DSM around it. */
  dtm?: string;
  /** Cell size the models are warped to (metres); 0: the DSM's own. */
  cell: number;
  /** Multiply raster values by this (vertical units other than metres). */
  zScale: number;
  /** Multiply the DTM's values by this instead (a DSM in feet over a DTM in metres); default `zScale`. */
  dtmZScale?: number;
  /** The most source pixels one raster read may touch. */
  maxRasterPixels: number;
  /** Elevation tiles given as DSM or DTM: the zoom read (default the finest available). */
  demZoom?: number;
  /** Elevation tiles given as DSM or DTM: the encoding, where the metadata does not say. */
  demEncoding?: DemEncoding;
  /** The roof shapes tried. */
  shapes: readonly string[];
  /** Fewest samples with data a building needs. */
  minSamples: number;
  /** Least share of the footprint with data. */
  minCoverage: number;
  /**
   * Vertical accuracy of the surface model (metres, one sigma): added to every height's σ, which the
   * residuals alone understate (0.15: airborne LiDAR or a good photogrammetric DSM).
   */
  accuracy: number;
  /** Split buildings whose roofs stand at clearly different levels into building parts, each fitted on its own. */
  parts: boolean;
  /** Processes fitting roofs (1: this thread); the output is the same for any number. */
  jobs: number;
}

/** Defaults for {@link InferOptions} (but `dsm`, which has none). */
export const INFER_DEFAULTS: Omit<InferOptions, 'dsm'> = {
  ...READ_DEFAULTS,
  ...RUN_DEFAULTS,
  cell: 0,
  zScale: 1,
  maxRasterPixels: 1 << 30,
  shapes: [...INFER_SHAPES],
  minSamples: 12,
  minCoverage: 0.3,
  accuracy: 0.15,
  parts: true,
  jobs: 1,
};

/** Options of {@link rasterizeCity}. */
export interface RasterizeOptions extends ReadOptions, TerrainOptions, RunContext {
  /** Cell size, metres (in the output CRS's units when it is projected). */
  cell: number;
  /** Output CRS (EPSG:xxxx, WKT, PROJ); default: the sources' CRS when they share one projected CRS, else the local frame. */
  crs?: string;
  /** σ of Gaussian noise added to the heights, metres. */
  noise: number;
  /** Share of cells set to no data. */
  dropout: number;
  /** Seed of the noise and dropout (same seed, same raster). */
  seed: number;
  /** Metres of ground around the buildings. */
  margin: number;
  /** Also make the label raster (building index, roof-shape class). */
  labels: boolean;
}

/** Defaults for {@link RasterizeOptions}. */
export const RASTERIZE_DEFAULTS: RasterizeOptions = { ...BUILD_DEFAULTS, cell: 0.5, noise: 0, dropout: 0, seed: 1, margin: 10, labels: false };

/** Options of {@link buildCityJson}. */
export interface CityJsonRunOptions extends Omit<BuildOptions, 'compress' | 'facades' | 'imagery'> {
  /** CityJSONSeq (a header line, then a feature a line) instead of one document. */
  seq: boolean;
  /** The output CRS (`EPSG:code`; default: the sources' projected CRS, or the UTM zone of the data when they are in lon/lat or Web Mercator). */
  tSrs?: string;
  /** Coordinate precision (metres). */
  precision: number;
}

/** Defaults for {@link CityJsonRunOptions}. */
export const CITYJSON_RUN_DEFAULTS: CityJsonRunOptions = { ...BUILD_DEFAULTS, seq: false, precision: 0.001 };
