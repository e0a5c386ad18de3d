import fs from 'node:fs';
import path from 'node:path';
import gdal from './gdal.js';
import { InputError } from '../core/errors.js';
import { OTHER_TAGS_CUT, osmIdOf, unpackOtherTags, type ReadContext } from './raw.js';
import type { TagValue } from './tags.js';
import { isFile, type Source, type SourceBox, type SourceFeature, type SourceFormat, type SourceOptions } from './source.js';
import { OGR_FORMAT, GEOMETRY_REASONS, CURVES_MADE_STRAIGHT, LinearCopy, checkedWKB, crsName, decodedFeature, layerSrs } from './ogr.js';
import { hasBuildingKeys, hasOsmKeys, isBuildingFeature } from './where.js';
import { OSM_ATTRIBUTION } from './options.js';
import type { FlatPolygons } from './wkb.js';
import { surelyValid } from './simple-polygons.js';
import { copyDoublesLE } from '../core/bytes.js';
import { counted } from '../core/words.js';

/** The first bytes of a FlatGeobuf file ("fgb", major version 3, "fgb", patch version). */
const MAGIC = [0x66, 0x67, 0x62, 0x03, 0x66, 0x67, 0x62];

/** A FlatBuffers table in a byte view: its fields by slot (FlatBuffers' vtable layout). */
class Table {
  private readonly vt: number;
  private readonly vtSize: number;

  constructor(
    private readonly v: DataView,
    readonly at: number,
  ) {
    this.vt = at - v.getInt32(at, true);
    this.vtSize = v.getUint16(this.vt, true);
  }

  /** Where field `slot` is (0: absent). */
  private field(slot: number): number {
    const o = 4 + 2 * slot;
    return o < this.vtSize ? this.v.getUint16(this.vt + o, true) : 0;
  }

  u8(slot: number, otherwise = 0): number {
    const f = this.field(slot);
    return f ? this.v.getUint8(this.at + f) : otherwise;
  }

  u16(slot: number, otherwise = 0): number {
    const f = this.field(slot);
    return f ? this.v.getUint16(this.at + f, true) : otherwise;
  }

  i32(slot: number, otherwise = 0): number {
    const f = this.field(slot);
    return f ? this.v.getInt32(this.at + f, true) : otherwise;
  }

  u64(slot: number): number {
    const f = this.field(slot);
    return f ? Number(this.v.getBigUint64(this.at + f, true)) : 0;
  }

  /** The position a reference field points to (a string, vector or table), or −1. */
  private ref(slot: number): number {
    const f = this.field(slot);
    return f ? this.at + f + this.v.getUint32(this.at + f, true) : -1;
  }

  string(slot: number): string | null {
    const p = this.ref(slot);
    if (p < 0) return null;
    const n = this.v.getUint32(p, true);
    if (p + 4 + n > this.v.byteLength) throw new RangeError('a string runs past its table (damaged)');
    return UTF8.decode(new Uint8Array(this.v.buffer, this.v.byteOffset + p + 4, n));
  }

  table(slot: number): Table | null {
    const p = this.ref(slot);
    return p < 0 ? null : new Table(this.v, p);
  }

  /**
   * A vector of elements of `size` bytes: its length and where its elements start (−1 when absent). A length
   * that runs past the table's bytes is damage, a RangeError (one flipped byte in a length made a vector of
   * 4 billion tables: 4 GB of memory before the read failed; fgb-length-unbounded)
   */
  vector(slot: number, size = 1): { n: number; at: number } {
    const p = this.ref(slot);
    if (p < 0) return { n: 0, at: -1 };
    const n = this.v.getUint32(p, true);
    if (p + 4 + n * size > this.v.byteLength) throw new RangeError(`a vector of ${n} elements runs past its table (damaged)`);
    return { n, at: p + 4 };
  }

  /** The tables of a vector of tables. */
  tables(slot: number): Table[] {
    const { n, at } = this.vector(slot, 4);
    const out: Table[] = [];
    for (let i = 0; i < n; i++) {
      const e = at + 4 * i;
      out.push(new Table(this.v, e + this.v.getUint32(e, true)));
    }
    return out;
  }

  get view(): DataView {
    return this.v;
  }
}

const UTF8 = new TextDecoder();

/** FlatGeobuf column types (the spec's ColumnType). */
const enum Col {
  Byte, UByte, Bool, Short, UShort, Int, UInt, Long, ULong, Float, Double, String, Json, DateTime, Binary,
}

interface Header {
  name: string;
  geometryType: number;
  columns: { name: string; type: Col }[];
  featuresCount: number;
  indexNodeSize: number;
  srs: gdal.SpatialReference | null;
  /** Where the features start (after the header and the index). */
  featuresAt: number;
}

/** Bytes of a packed Hilbert R-tree over `n` items with nodes of `nodeSize` (the spec's index). */
function indexBytes(n: number, nodeSize: number): number {
  if (nodeSize === 0 || n === 0) return 0;
  const size = Math.min(Math.max(nodeSize, 2), 65535);
  let level = n, nodes = n;
  do {
    level = Math.ceil(level / size);
    nodes += level;
  } while (level !== 1);
  return nodes * 40;
}

/** Read the header (throws an InputError naming the file when it is damaged). */
function readHeader(file: string, fd: number): Header | null {
  const head = Buffer.alloc(12);
  if (fs.readSync(fd, head, 0, 12, 0) < 12 || !MAGIC.every((b, i) => head[i] === b)) return null;
  const size = head.readUInt32LE(8);
  const total = fs.fstatSync(fd).size;
  if (size < 4 || 12 + size > total) throw new InputError('ingest', `${file}: a FlatGeobuf header of ${size} bytes in a file of ${total} (cut short, or damaged)`);
  const b = Buffer.alloc(size);
  fs.readSync(fd, b, 0, size, 12);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  try {
    const h = new Table(v, v.getUint32(0, true));
    const columns = h.tables(7).map((c) => ({ name: c.string(0) ?? '', type: c.u8(1) as Col }));
    const crs = h.table(10);
    let srs: gdal.SpatialReference | null = null;
    if (crs) {
      const org = crs.string(0), code = crs.i32(1), wkt = crs.string(4);
      try {
        if (code && (!org || org.toUpperCase() === 'EPSG')) srs = gdal.SpatialReference.fromEPSG(code);
        else if (wkt) srs = gdal.SpatialReference.fromWKT(wkt);
        else if (org && code) srs = gdal.SpatialReference.fromUserInput(`${org}:${code}`);
      } catch {
        srs = null;
      }
    }
    const featuresCount = h.u64(8);
    const indexNodeSize = h.u16(9, 16);
    return { name: h.string(0) || path.basename(file).replace(/\.[^.]*$/, ''), geometryType: h.u8(2), columns, featuresCount, indexNodeSize, srs, featuresAt: 12 + size + indexBytes(featuresCount, indexNodeSize) };
  } catch (e) {
    if (e instanceof RangeError) throw new InputError('ingest', `${file}: the FlatGeobuf header cannot be read (damaged)`);
    throw e;
  }
}

/** FlatGeobuf's curved and surface geometry types: CurvePolygon, MultiSurface, Surface, PolyhedralSurface, TIN. */
const CURVED = new Set([10, 12, 14, 15, 16]);

/** A geometry's polygons (Polygon, MultiPolygon, or those in a GeometryCollection), or why it has none. */
function polygonsOf(g: Table | null, type: number): FlatPolygons | 'geometry:empty' | 'geometry:not-polygonal' | 'curved' {
  const ringOffsets = [0];
  const polygonOffsets = [0];
  // each polygon's rings are one run of points in the buffer: [view, byte offset, points] per polygon,
  // copied into one array at the end (no array of boxed numbers grown point by point)
  const runs: [DataView, number, number][] = [];
  let total = 0;
  let other = false;
  const polygon = (t: Table) => {
    const v = t.view;
    const xy = t.vector(1, 8), ends = t.vector(0, 4);
    if (xy.n < 2) return;
    const points = xy.n / 2;
    const rings = ends.n || 1;
    let start = 0;
    for (let r = 0; r < rings; r++) {
      const end = ends.n ? v.getUint32(ends.at + 4 * r, true) : points;
      if (end <= start || end > points) break;
      total += end - start;
      ringOffsets.push(total);
      start = end;
    }
    if (start > 0) runs.push([v, xy.at, start]);
    polygonOffsets.push(ringOffsets.length - 1);
  };
  const visit = (t: Table, type: number, depth: number) => {
    const own = t.u8(6) || type;
    if (own === 3) polygon(t);
    else if ((own === 6 || own === 7) && depth < 8) for (const p of t.tables(7)) visit(p, own === 6 ? 3 : 0, depth + 1);
    else if (CURVED.has(own)) curved = true;
    else other = true;
  };
  let curved = false;
  if (g) visit(g, type, 0);
  if (curved) return 'curved';
  if (polygonOffsets.length === 1) return other ? 'geometry:not-polygonal' : 'geometry:empty';
  const coords = new Float64Array(2 * total);
  let k = 0;
  for (const [v, at, n] of runs) {
    copyDoublesLE(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), at, 2 * n, coords, 2 * k);
    k += n;
  }
  return { coords, ringOffsets, polygonOffsets };
}

/** A feature's properties (the spec's binary encoding: column index, then the value). */
function propertiesOf(t: Table, columns: Header['columns']): Record<string, TagValue> {
  const tags: Record<string, TagValue> = {};
  const own = t.tables(2);
  const cols = own.length ? own.map((c) => ({ name: c.string(0) ?? '', type: c.u8(1) as Col })) : columns;
  const { n, at } = t.vector(1);
  const v = t.view;
  for (let p = at, end = at + n; p + 2 <= end; ) {
    const c = cols[v.getUint16(p, true)];
    p += 2;
    if (!c) break;
    let value: TagValue;
    switch (c.type) {
      case Col.Byte: value = v.getInt8(p); p += 1; break;
      case Col.UByte: value = v.getUint8(p); p += 1; break;
      case Col.Bool: value = v.getUint8(p) !== 0; p += 1; break;
      case Col.Short: value = v.getInt16(p, true); p += 2; break;
      case Col.UShort: value = v.getUint16(p, true); p += 2; break;
      case Col.Int: value = v.getInt32(p, true); p += 4; break;
      case Col.UInt: value = v.getUint32(p, true); p += 4; break;
      case Col.Long: value = Number(v.getBigInt64(p, true)); p += 8; break;
      case Col.ULong: value = Number(v.getBigUint64(p, true)); p += 8; break;
      case Col.Float: value = v.getFloat32(p, true); p += 4; break;
      case Col.Double: value = v.getFloat64(p, true); p += 8; break;
      default: {
        const len = v.getUint32(p, true);
        p += 4;
        // text (string, JSON, date-time) as it is; binary values are not attributes
        value = c.type === Col.Binary ? undefined : UTF8.decode(new Uint8Array(v.buffer, v.byteOffset + p, len));
        p += len;
      }
    }
    if (value !== undefined) tags[c.name] = value;
  }
  return tags;
}

/** How much of a file the reader holds at once (a feature larger than this is read alone). */
const WINDOW = 4 << 20;

/**
 * FlatGeobuf read straight from its bytes: the header, then each feature's FlatBuffers table, its
 * coordinates into flat arrays and WKB, its properties by the column schema; valid polygons recognised
 * by {@link surelyValid} (the rest checked and repaired by GEOS). Streams the file in 4 MB windows.
 * Ids (the feature's place in the file), layer name, CRS and the OSM-layer rule are GDAL's; booleans
 * stay booleans and dates stay text. A `--where` or `--layer`, or a file that does not start as
 * FlatGeobuf 3, is read by GDAL.
 */
class FlatGeobufSource implements Source {
  readonly inputs: string[];
  private ogr: Source | null = null;

  constructor(
    readonly label: string,
    private readonly options: SourceOptions,
  ) {
    this.inputs = [label];
    if (options.where || options.layers?.length) this.ogr = OGR_FORMAT.open([label], options);
  }

  attributions(): string[] {
    if (this.ogr) return this.ogr.attributions();
    const h = this.header();
    return h && hasOsmKeys(h.columns.map((c) => c.name)) ? [OSM_ATTRIBUTION] : [];
  }

  /** The header, or null when GDAL reads the file instead. */
  private header(): Header | null {
    if (this.ogr) return null;
    const fd = fs.openSync(this.label, 'r');
    try {
      const h = readHeader(this.label, fd);
      // (a layer of curved or surface geometries: GDAL's reader makes them straight; curves-were-unreadable)
      if (!h || CURVED.has(h.geometryType)) {
        this.ogr = OGR_FORMAT.open([this.label], this.options);
        return null;
      }
      return h;
    } finally {
      fs.closeSync(fd);
    }
  }

  async extent(): Promise<SourceBox[]> {
    // (GDAL reads the header's envelope, or the index)
    return OGR_FORMAT.open([this.label], this.options).extent();
  }

  async *read(ctx: ReadContext): AsyncGenerator<SourceFeature> {
    const h = this.header();
    if (!h) {
      yield* this.ogr!.read(ctx);
      return;
    }
    const srs = layerSrs(this.label, h.name, h.srs, this.options.sSrs);
    const crs = crsName(srs);
    const osmTags = hasBuildingKeys(h.columns.map((c) => c.name));
    const osmData = hasOsmKeys(h.columns.map((c) => c.name));
    const source = `${path.basename(this.label)}#${h.name}`;
    const where = `${this.label} layer ${h.name}`;
    const fd = fs.openSync(this.label, 'r');
    const total = fs.fstatSync(fd).size;
    let read = 0;
    let linear: LinearCopy | null = null;
    try {
      let buf = Buffer.alloc(WINDOW);
      let bufAt = h.featuresAt, bufLen = 0; // the window: file bytes [bufAt, bufAt + bufLen)
      for (let pos = h.featuresAt, fid = 0; pos < total; fid++) {
        // the window holds the size prefix and the whole feature
        const need = (n: number) => {
          if (pos + n <= bufAt + bufLen) return true;
          if (n > buf.length) buf = Buffer.alloc(n);
          bufAt = pos;
          bufLen = fs.readSync(fd, buf, 0, buf.length, pos);
          return n <= bufLen;
        };
        if (!need(4)) break;
        const size = buf.readUInt32LE(pos - bufAt);
        // (a size past the file's end is damage, not a window to allocate: a flipped byte asked for 3.9 GB)
        if (size < 4 || size > total - pos - 4 || !need(4 + size)) throw new InputError('ingest', `${where}: feature ${fid} is cut short at byte ${pos} (damaged)`);
        const off = pos - bufAt + 4;
        pos += 4 + size;
        read++;
        ctx.tick();
        const id = String(fid);
        let tags: Record<string, TagValue>;
        let p: ReturnType<typeof polygonsOf>;
        try {
          const v = new DataView(buf.buffer, buf.byteOffset + off, size);
          const t = new Table(v, v.getUint32(0, true));
          tags = propertiesOf(t, h.columns);
          p = polygonsOf(t.table(0), h.geometryType);
        } catch (e) {
          // (fgb-damage-built-anyway: a feature whose FlatBuffers table does not hold together is a damaged file,
          // not a feature with bad data: 200 flipped bytes built 78 of 99 buildings, exit 0, some 233 km away)
          if (!(e instanceof RangeError)) throw e;
          const what = /runs past/.test(e.message) ? e.message.replace(/ \(damaged\)$/, '') : 'a reference in it points outside it';
          throw new InputError('ingest', `${where}: feature ${id} (at byte ${pos - 4 - size}) cannot be read: the file is damaged (${what}); export it again`);
        }
        const cut = osmTags && unpackOtherTags(tags);
        const own = (osmTags ? osmIdOf(tags) : null) ?? tags['id'] ?? tags['@id'];
        const name = own !== undefined && own !== null && own !== '' ? String(own) : id;
        const detail = `${where} feature ${name}`;
        if (cut) ctx.warn(OTHER_TAGS_CUT[0], `${detail}: ${OTHER_TAGS_CUT[1]}`);
        if (osmTags && !isBuildingFeature(tags)) {
          ctx.skip('not-a-building', `${detail}: neither building nor building:part (a layer of every OSM tag; --where selects others)`);
          continue;
        }
        if (p === 'curved') {
          // (curves-were-unreadable: GDAL makes them straight, from a copy of the file made once)
          linear ??= new LinearCopy({ file: this.label, layerName: h.name });
          ctx.warn(CURVES_MADE_STRAIGHT, `${detail}: a curved geometry, made of straight segments`);
          const wkb = checkedWKB(() => linear!.geometry(fid), ctx, detail);
          if (wkb) yield { srs, crs, feature: { id: name, source, where, tags, pieces: 1, osm: osmData, wkb } };
          continue;
        }
        if (typeof p === 'string') {
          ctx.skip(p, `${detail}: ${GEOMETRY_REASONS[p] ?? p}`);
          continue;
        }
        const sf = decodedFeature({ id: name, source, where, tags, pieces: 1, osm: osmData }, p, srs, crs, ctx, detail);
        if (!sf) continue;
        yield sf;
        if (read % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      fs.closeSync(fd);
      linear?.close();
    }
    if (h.featuresCount > read) throw new InputError('ingest', `${where}: the file says it holds ${h.featuresCount} features, but only ${read} could be read (cut short, or damaged)`);
    if (read === 0) throw new InputError('ingest', `${where}: no features`);
    this.options.logger.info(`${this.label}: ${counted(read, 'feature')} from layer(s) ${h.name}`);
  }
}

/** FlatGeobuf (`.fgb`), read in JavaScript (see {@link FlatGeobufSource}). */
export const FLATGEOBUF_FORMAT: SourceFormat = {
  name: 'flatgeobuf',
  grouped: false,
  test: (input) => /\.fgb$/i.test(input) && isFile(input),
  open: (inputs, options) => new FlatGeobufSource(inputs[0], options),
};
