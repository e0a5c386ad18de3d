import fs from 'node:fs';
import path from 'node:path';
import { isUtf8 } from 'node:buffer';
import gdal from './gdal.js';
import { InputError } from '../core/errors.js';

/**
 * Checks that tell a damaged or cut-short file from an empty one. GDAL's readers stop quietly at the
 * first unreadable byte of many formats (a truncated FlatGeobuf reads as "no features", a truncated
 * OSM PBF as a few, a broken GeoJSONSeq line is dropped): these checks say what is wrong, and where.
 */

/** A key of GDAL's last error (null when none), to notice a new one. */
export function lastErrorKey(): string | null {
  const e = gdal.lastError as { code?: number; message?: string; level?: number } | null;
  return e ? `${e.level}:${e.code}:${e.message}` : null;
}

/** GDAL's last error message when it is new since `before` and a failure (CE_Failure or worse). */
export function newFailure(before: string | null): string | null {
  const e = gdal.lastError as { message?: string; level?: number } | null;
  if (!e || (e.level ?? 0) < 3) return null;
  const key = lastErrorKey();
  return key !== before ? (e.message ?? 'an error').trim() : null;
}

/**
 * A layer read whole without a filter must give as many features as its header says (FlatGeobuf,
 * GeoPackage, Shapefile say it cheaply); fewer means the file was cut short or is damaged.
 */
export function checkLayerComplete(file: string, layerName: string, layer: gdal.Layer, read: number): void {
  let declared = -1;
  try {
    declared = layer.features.count(false);
  } catch {
    return;
  }
  if (declared > read) throw new InputError('ingest', `${file} layer ${layerName}: the file says it holds ${declared} features, but only ${read} could be read (cut short, or damaged)`);
}

/** Read a varint at `at` of `b`; [value, next offset] or null past the end. */
function varint(b: Buffer, at: number, end: number): [number, number] | null {
  let v = 0, shift = 0;
  for (let i = at; i < end && shift < 50; i++) {
    v += (b[i] & 0x7f) * 2 ** shift;
    if (!(b[i] & 0x80)) return [v, i + 1];
    shift += 7;
  }
  return null;
}

/**
 * Walk an OSM PBF file's blocks (a 4-byte length, a BlobHeader naming the blob's size, the blob):
 * throws an {@link InputError} naming the byte where it is cut short or stops making sense. Reads the
 * headers only.
 */
export function checkOsmPbf(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(64 << 10);
    let at = 0;
    let blocks = 0;
    while (at < size) {
      const bad = (what: string) => new InputError('ingest', `${file}: not a whole OSM PBF file: ${what} at byte ${at} of ${size} (block ${blocks + 1}; cut short, or damaged)`);
      if (at + 4 > size) throw bad('a block header cut short');
      fs.readSync(fd, head, 0, 4, at);
      const hlen = head.readUInt32BE(0);
      if (hlen === 0 || hlen > 64 << 10) throw bad(`a block header of ${hlen} bytes`);
      if (at + 4 + hlen > size) throw bad('a block header cut short');
      fs.readSync(fd, head, 0, hlen, at + 4);
      // BlobHeader: field 1 type (string), 2 indexdata (bytes), 3 datasize (int32)
      let p = 0;
      let datasize = -1;
      while (p < hlen) {
        const key = varint(head, p, hlen);
        if (!key) throw bad('an unreadable block header');
        const [k, q] = key;
        const field = Math.floor(k / 8), type = k & 7;
        if (type === 0) {
          const v = varint(head, q, hlen);
          if (!v) throw bad('an unreadable block header');
          if (field === 3) datasize = v[0];
          p = v[1];
        } else if (type === 2) {
          const l = varint(head, q, hlen);
          if (!l) throw bad('an unreadable block header');
          p = l[1] + l[0];
        } else throw bad('an unreadable block header');
      }
      if (datasize < 0 || datasize > 32 << 20) throw bad(`a block of ${datasize} bytes`);
      if (at + 4 + hlen + datasize > size) throw bad(`a block of ${datasize} bytes cut short`);
      at += 4 + hlen + datasize;
      blocks++;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The lines of a GeoJSONSeq file as bytes (split at newlines), streamed, with their line numbers, empty
 * ones included; the last one says whether it ended without an end of line. A line's `bytes` are valid
 * until the next is asked for (the read buffer is used again): decode or copy them first.
 */
export function* geoJsonSeqLines(file: string): Generator<{ line: number; bytes: Buffer; unterminated?: boolean }> {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    // the bytes of a line not ended yet (copies: the read buffer is used again); joined once it ends, so a line of
    // hundreds of megabytes (a FeatureCollection on one line) is not copied again at every read
    let pending: Buffer[] = [];
    let line = 0;
    for (let pos = 0; ; ) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      pos += n;
      const chunk = buf.subarray(0, n);
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
        line++;
        const bytes = pending.length ? Buffer.concat([...pending, chunk.subarray(start, nl)]) : chunk.subarray(start, nl);
        pending = [];
        start = nl + 1;
        yield { line, bytes };
      }
      if (start < n) pending.push(Buffer.from(chunk.subarray(start)));
    }
    line++;
    yield { line, bytes: Buffer.concat(pending), unterminated: true };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The texts of the lines of a GeoJSONSeq file holding the bytes `needle` (decoded as {@link seqLineText}),
 * streamed: each chunk read is searched whole for the bytes, and only the lines holding them are cut out
 * and decoded; a scan of a file where no line holds them decodes nothing.
 */
export function* seqLinesHolding(file: string, needle: Buffer): Generator<string> {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    let pending: Buffer[] = [];
    const holding = (line: Buffer) => (line.indexOf(needle) >= 0 ? seqLineText(line).text : null);
    for (let pos = 0; ; ) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      pos += n;
      const chunk = buf.subarray(0, n);
      const last = chunk.lastIndexOf(10);
      if (last < 0) {
        pending.push(Buffer.from(chunk));
        continue;
      }
      // the line begun in earlier chunks ends in this one: tested whole
      let start = 0;
      if (pending.length) {
        const first = chunk.indexOf(10);
        const t = holding(Buffer.concat([...pending, chunk.subarray(0, first)]));
        pending = [];
        if (t !== null) yield t;
        start = first + 1;
      }
      // the chunk's whole lines: searched at once, a line cut out where the bytes are found
      for (let at = chunk.indexOf(needle, start); at >= 0 && at < last; at = chunk.indexOf(needle, start)) {
        const end = chunk.indexOf(10, at);
        yield seqLineText(chunk.subarray(chunk.lastIndexOf(10, at) + 1, end)).text;
        start = end + 1;
      }
      if (last + 1 < n) pending.push(Buffer.from(chunk.subarray(last + 1)));
    }
    if (pending.length) {
      const t = holding(Buffer.concat(pending));
      if (t !== null) yield t;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A line's text (see {@link geoJsonSeqLines}): RS and BOM dropped, trimmed; a line that is not UTF-8 (as
 * RFC 8142 asks) is read as ISO-8859-1 (Latin-1) and says so (a newline byte is never inside a UTF-8 sequence).
 */
export function seqLineText(bytes: Buffer): { text: string; latin1: boolean } {
  const utf8 = isUtf8(bytes);
  return { text: bytes.toString(utf8 ? 'utf8' : 'latin1').replace(/^[\x1e\uFEFF]+/, '').trim(), latin1: !utf8 };
}

/**
 * The texts of a GeoJSONSeq file (newline or RS delimited; empty lines, RS and BOM dropped), streamed,
 * with their line numbers; the last one says whether it ended without an end of line. A line that is not
 * UTF-8 (as RFC 8142 asks) is read as ISO-8859-1 (Latin-1) and says so (`latin1`): decoded as UTF-8 its
 * accented letters became U+FFFD, unsaid (not-utf8-replaced-unsaid).
 */
export function* geoJsonSeqTexts(file: string): Generator<{ line: number; text: string; unterminated?: boolean; latin1?: boolean }> {
  for (const { line, bytes, unterminated } of geoJsonSeqLines(file)) {
    const t = seqLineText(bytes);
    if (t.text) yield { line, text: t.text, ...(unterminated ? { unterminated } : {}), ...(t.latin1 ? { latin1: true } : {}) };
  }
}

/**
 * The lines of a GeoJSONSeq file that are not GeoJSON features (a broken or cut line), one at a
 * time: `visit(lineNumber, what)`. Streams the file; GDAL drops such lines without a word.
 */
export function brokenGeoJsonSeqLines(file: string, visit: (line: number, what: string) => void): void {
  for (const { line, text } of geoJsonSeqTexts(file)) {
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch (e) {
      visit(line, `not JSON (${(e as Error).message})`);
      continue;
    }
    const type = (o as { type?: unknown } | null)?.type;
    if (type !== 'Feature' && type !== 'FeatureCollection') visit(line, `not a GeoJSON feature (type ${JSON.stringify(type)})`);
  }
}

/**
 * A Shapefile's companions it cannot be read without: its `.shx` (the index GDAL needs to open it) and its
 * `.dbf` (the attributes: without them every building would stand at the default height, counted only
 * as `height:missing`). An {@link InputError} naming the missing ones (any case of their extension).
 */
export function checkShapefileCompanions(shp: string): void {
  if (!/\.shp$/i.test(shp) || shp.startsWith('/vsi') || !fs.existsSync(shp)) return;
  const dir = path.dirname(shp);
  const stem = path.basename(shp).slice(0, -4).toLowerCase();
  let there: Set<string>;
  try {
    there = new Set(fs.readdirSync(dir).map((f) => f.toLowerCase()));
  } catch {
    return;
  }
  const missing = ['.shx', '.dbf'].filter((ext) => !there.has(stem + ext));
  if (!missing.length) return;
  const names = missing.map((ext) => `${path.basename(shp).slice(0, -4)}${ext}`);
  const why = missing.map((ext) => (ext === '.shx' ? 'the .shx indexes its shapes' : 'the .dbf holds its attributes (heights, levels, roof tags)')).join('; ');
  throw new InputError('ingest', `${shp}: ${names.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing beside it (a Shapefile is its .shp, .shx and .dbf together: ${why}); copy ${missing.length > 1 ? 'them' : 'it'} with the .shp${missing.includes('.shx') && !missing.includes('.dbf') ? ", or rebuild the .shx with GDAL: SHAPE_RESTORE_SHX=YES ogrinfo -so <file.shp> (it writes one beside it)" : ''}`);
}

/**
 * A Shapefile's .shp and .dbf must be as long as their headers say (GDAL reads a cut .shp as features
 * with no geometry, a cut .dbf as fewer attributes): throws an {@link InputError} naming the file.
 */
export function checkShapefile(shp: string): void {
  const head = (file: string, n: number): { b: Buffer; size: number } | null => {
    if (!fs.existsSync(file)) return null;
    const fd = fs.openSync(file, 'r');
    try {
      const b = Buffer.alloc(n);
      const got = fs.readSync(fd, b, 0, n, 0);
      return { b: b.subarray(0, got), size: fs.fstatSync(fd).size };
    } finally {
      fs.closeSync(fd);
    }
  };
  const cut = (file: string, want: number, size: number) => new InputError('ingest', `${file}: ${size} bytes, but its header says ${want} (cut short, or damaged)`);
  const s = head(shp, 100);
  if (s && s.b.length >= 28) {
    const want = s.b.readUInt32BE(24) * 2;
    if (want > s.size) throw cut(shp, want, s.size);
  }
  const dbfFile = shp.replace(/\.shp$/i, (m) => (m === '.SHP' ? '.DBF' : '.dbf'));
  const d = head(dbfFile, 12);
  if (d && d.b.length >= 12) {
    const want = d.b.readUInt16LE(8) + d.b.readUInt32LE(4) * d.b.readUInt16LE(10);
    // (a final 0x1A end-of-file byte is optional)
    if (want > d.size) throw cut(dbfFile, want, d.size);
  }
}
