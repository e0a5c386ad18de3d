import fs from 'node:fs';
import { InputError } from '../core/errors.js';
import { OGR_FORMAT } from './ogr.js';
import { VECTOR_TILES_FORMAT } from './mvt.js';
import { CITYJSON_FORMAT } from './cityjson.js';
import { GEOJSON_FORMAT } from './geojson.js';
import { FLATGEOBUF_FORMAT } from './flatgeobuf.js';
import { isEmptyFile, type Source, type SourceFormat, type SourceOptions } from './source.js';

/**
 * Every source format, in the order they are tried: the first whose `test` accepts an input reads it.
 * OGR comes last: it takes whatever GDAL opens.
 */
export const SOURCE_FORMATS: readonly SourceFormat[] = [VECTOR_TILES_FORMAT, CITYJSON_FORMAT, GEOJSON_FORMAT, FLATGEOBUF_FORMAT, OGR_FORMAT];

/** The format that reads `input`. */
export function formatOf(input: string, formats: readonly SourceFormat[] = SOURCE_FORMATS): SourceFormat {
  const f = formats.find((f) => f.test(input));
  if (!f) throw new InputError('ingest', `${input}: no source format reads it`);
  return f;
}

/** Throws the {@link InputError} a read would for the first of `inputs` that does not exist (or is a pipe: {@link checkInputFile}). */
export function checkInputsExist(inputs: readonly string[]): void {
  for (const input of inputs) checkInputFile(input);
}

/**
 * Throws an {@link InputError} naming `input` (and the option that gave it) where it does not exist, or is a
 * named pipe, a socket or a device: cityforge reads an input more than once (its extent, then its features) and
 * seeks in it, and opening a pipe no one writes to waits for ever — a wait no Ctrl-C or SIGTERM could end
 * (fifo-input-hung-past-sigterm). Remote (`/vsi…`, URL) inputs are not looked at.
 *
 * @example
 * ```ts
 * checkInputFile('/tmp/f.geojson', '--heights-from'); // a FIFO: "… is a named pipe …; save it to a file first"
 * ```
 */
export function checkInputFile(input: string, option?: string): fs.Stats | null {
  if (/^\/vsi|:\/\//.test(input)) return null;
  const named = `${input}${option ? ` (${option})` : ''}`;
  const st = fs.statSync(input, { throwIfNoEntry: false });
  if (!st) throw new InputError('ingest', `${named}: no such file or folder`);
  if (st.isFile() || st.isDirectory()) return st;
  const kind = st.isFIFO() ? 'a named pipe (or a stream such as <(…))' : st.isSocket() ? 'a socket' : 'a device';
  throw new InputError('ingest', `${named}: is ${kind}, not a file: cityforge reads its inputs more than once and seeks in them; save it to a file first`);
}

/**
 * Open the inputs as sources, in order: one per input, except that a grouped format's inputs are
 * opened together, as one source at the place of the first of them.
 */
export function openSources(inputs: string[], options: SourceOptions, formats: readonly SourceFormat[] = SOURCE_FORMATS): Source[] {
  const groups: { format: SourceFormat; inputs: string[] }[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    checkInputsExist([input]);
    // input-given-twice-built-twice: the same file (or folder) twice is read once
    const real = fs.realpathSync(input);
    if (seen.has(real)) {
      options.logger.warn(`${input}: given more than once; read once`);
      continue;
    }
    seen.add(real);
    const format = formatOf(input, formats);
    // (a vector tile's own reader names the tile of an empty one)
    if (format !== VECTOR_TILES_FORMAT && isEmptyFile(input)) throw new InputError('ingest', `${input}: the file is empty`);
    const g = format.grouped ? groups.find((g) => g.format === format) : undefined;
    if (g) g.inputs.push(input);
    else groups.push({ format, inputs: [input] });
  }
  return groups.map((g) => g.format.open(g.inputs, options));
}
