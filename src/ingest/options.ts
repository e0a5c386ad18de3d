import type { SelectOptions } from './source.js';

/**
 * The options of ingest, in a module of their own (no GDAL): the CLI's main thread reads the
 * defaults from here without loading the readers.
 */

/** Options for turning raw tags into building parameters. */
export interface TagOptions {
  /** Metres per storey for `building:levels`, `roof:levels`, `building:min_level`. */
  levelHeight: number;
  /** Height used when a feature has none (or an unusable one). */
  defaultHeight: number;
  /** Heights above this are treated as absurd and replaced by the default. */
  maxHeight: number;
}

/** Defaults for {@link TagOptions}. */
export const TAG_DEFAULTS: TagOptions = { levelHeight: 3, defaultHeight: 10, maxHeight: 1000 };

/** Options for cleaning footprint rings. */
export interface RepairOptions {
  /** Vertices closer than this (metres) are merged; vertices within it of the line through their neighbours are dropped. */
  tolerance: number;
  /** Rings with a smaller area (m²) are dropped. */
  minArea: number;
}

/** Defaults for {@link RepairOptions}. */
export const REPAIR_DEFAULTS: RepairOptions = { tolerance: 0.01, minArea: 0.5 };

/** Options for `ingest` and `ingestToStore`. */
export interface IngestOptions extends TagOptions, RepairOptions, SelectOptions {
  /** Frame origin `[lon, lat]`; default: the centre of the data. */
  origin?: [number, number];
  /** Called every so often with the number of features read so far. */
  onProgress?: (featuresRead: number) => void;
}

/** Defaults for {@link IngestOptions}. */
export const INGEST_DEFAULTS: IngestOptions = { ...TAG_DEFAULTS, ...REPAIR_DEFAULTS };
