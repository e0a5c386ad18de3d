import fs from 'node:fs';
import type gdal from 'gdal-async';
import type { Extent } from '../core/extent.js';
import type { Logger } from '../core/logger.js';
import type { RawFeature, ReadContext } from './raw.js';

/** One raw feature of a source, with the CRS it is in. */
export interface SourceFeature {
  srs: gdal.SpatialReference;
  /** The CRS's name (`EPSG:code` or PROJ). */
  crs: string;
  feature: RawFeature;
  /** Its box in that CRS (set by the reader that checked it is a place on Earth). */
  box?: Extent;
}

/** A box of a source in one of its CRSs. */
export interface SourceBox {
  srs: gdal.SpatialReference;
  crs: string;
  extent: Extent;
}

/** One opened source: a file, or several inputs a format reads as one (vector tiles: one pyramid). */
export interface Source {
  /** The inputs it reads, in order. */
  readonly inputs: readonly string[];
  /** What it is, for messages (a path). */
  readonly label: string;
  /**
   * Its boxes in its CRSs without a pass over the features where the format can tell (headers, tile
   * bounds); empty when there is nothing in it.
   */
  extent(): Promise<SourceBox[]>;
  /** Who the data is by, as the source says (archive metadata; OSM data: OpenStreetMap), once read; empty when it does not say. */
  attributions(): string[];
  /**
   * Its features, one at a time. Broken features go to `ctx.skip` (named); a broken source throws a
   * `CityforgeError` (or any error, which the caller turns into one naming the source).
   */
  read(ctx: ReadContext): AsyncIterable<SourceFeature>;
}

/** Selection options every source format honours. */
export interface SelectOptions {
  /** Layer names to read (default: per format). */
  layers?: string[];
  /** OGR SQL attribute filter. */
  where?: string;
  /** CRS overriding the source's (any `SpatialReference.fromUserInput` string, e.g. `EPSG:2056`). */
  sSrs?: string;
  /** City-object types a city model (CityJSON) is read for (default: `Building`, with its parts). */
  cityObjectTypes?: string[];
  /** A CityJSON document larger than this (bytes) is read streamed (default {@link STREAM_ABOVE_BYTES} of cityjson.ts). */
  streamAboveBytes?: number;
  /** A city model's level of detail to read (e.g. `2.2`; default: the highest each object has). */
  lod?: string;
  /** Largest size of one vector tile, compressed or not (bytes; default 64 MB): a gzip bomb stops there. */
  maxTileBytes?: number;
}

/** What a source format is given besides its inputs. */
export interface SourceOptions extends SelectOptions {
  logger: Logger;
}

/**
 * A source format, declared loaders.gl-style: how it is recognised and how it opens. The in-memory
 * ingest and the streamed one both read every input through {@link SOURCE_FORMATS}; a new format
 * (raster tiles, CityJSON, LAS) plugs in by adding one.
 *
 * @example
 * ```ts
 * const format: SourceFormat = {
 *   name: 'cityjson',
 *   test: (input) => /\.city\.jsonl?$/i.test(input),
 *   grouped: false,
 *   open: (inputs, options) => new CityJsonSource(inputs[0], options),
 * };
 * ```
 */
export interface SourceFormat {
  readonly name: string;
  /** Whether `input` (a path) is of this format: by name, or by a look at it. */
  test(input: string): boolean;
  /** Whether all inputs of this format in a run are opened together as one source. */
  readonly grouped: boolean;
  /** Open inputs of this format (one, or all of them when `grouped`). */
  open(inputs: string[], options: SourceOptions): Source;
}

/** Whether `p` is a file (not a folder, not missing): what a format reading single files tests first. */
export function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Whether `file` is a regular file of 0 bytes (false for a folder, a GDAL virtual path or a missing file). */
export function isEmptyFile(file: string): boolean {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  return !!st && st.isFile() && st.size === 0;
}
