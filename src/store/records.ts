import type { BuildingParams, FlatPolygons, KeptSurfaces } from '../core/types.js';
import type { BufferedWriter } from './format.js';
import { copyDoublesLE, LITTLE_ENDIAN } from '../core/bytes.js';

/**
 * A spill record: u32 JSON bytes, u32 polygons, u32 rings, u32 vertices, u32 polygon offsets
 * (polygons + 1), u32 ring offsets (rings + 1), padding to 8, f64 x/y pairs, the parameters as JSON;
 * then, for a building whose own surfaces are kept (a city model's), padding to 8 and u32 surfaces,
 * u32 rings, u32 vertices, u32 flags (1: source x/y follow), f64 x/y/z triples, u32 surface offsets
 * (surfaces + 1), u32 ring offsets (rings + 1), u8 semantic types (one per surface), then with flag 1 the
 * f64 source x/y pairs. A record without surfaces ends after its JSON.
 */
const RECORD_HEAD = 16;

/** Write `n` doubles of `v` little-endian at `b[o]` (one byte copy where the platform is little-endian). */
function writeDoubles(b: Buffer, o: number, v: Float64Array, n: number): void {
  if (LITTLE_ENDIAN) b.set(new Uint8Array(v.buffer, v.byteOffset, 8 * n), o);
  else for (let i = 0; i < n; i++) b.writeDoubleLE(v[i], o + 8 * i);
}

/** `n` little-endian doubles at `b[o]`, as a new array (at any alignment). */
function readDoubles(b: Buffer, o: number, n: number): Float64Array {
  const v = new Float64Array(n);
  copyDoublesLE(b, o, n, v, 0);
  return v;
}

/** Encode one feature as a spill record into a writer; returns [offset, length]. */
export function appendRecord(w: BufferedWriter, polygons: FlatPolygons, params: BuildingParams, surfaces: KeptSurfaces | null = null): [number, number] {
  const text = JSON.stringify(params);
  const jsonLength = Buffer.byteLength(text);
  const np = polygons.polygonOffsets.length - 1, nr = polygons.ringOffsets.length - 1, nv = polygons.coords.length / 2;
  const ints = RECORD_HEAD + 4 * (np + 1 + nr + 1);
  const pad = (8 - (ints % 8)) % 8;
  const base = ints + pad + 16 * nv + jsonLength;
  const pad2 = (8 - (base % 8)) % 8;
  const ss = surfaces ? [surfaces.surfaceOffsets.length - 1, surfaces.ringOffsets.length - 1, surfaces.coords.length / 3] : null;
  const withSource = !!surfaces?.sourceXY && surfaces.sourceXY.length === 2 * (ss?.[2] ?? 0);
  const size = ss ? base + pad2 + 16 + 24 * ss[2] + 4 * (ss[0] + 1 + ss[1] + 1) + ss[0] + (withSource ? 16 * ss[2] : 0) : base;
  const start = w.offset;
  const { buffer: b, at } = w.reserve(size);
  let o = at;
  b.writeUInt32LE(jsonLength, o);
  b.writeUInt32LE(np, o + 4);
  b.writeUInt32LE(nr, o + 8);
  b.writeUInt32LE(nv, o + 12);
  o += RECORD_HEAD;
  for (const v of polygons.polygonOffsets) (b.writeUInt32LE(v, o), (o += 4));
  for (const v of polygons.ringOffsets) (b.writeUInt32LE(v, o), (o += 4));
  o += pad;
  writeDoubles(b, o, polygons.coords, 2 * nv);
  o += 16 * nv;
  b.write(text, o, jsonLength, 'utf8');
  o += jsonLength;
  if (surfaces && ss) {
    o += pad2;
    b.writeUInt32LE(ss[0], o);
    b.writeUInt32LE(ss[1], o + 4);
    b.writeUInt32LE(ss[2], o + 8);
    b.writeUInt32LE(withSource ? 1 : 0, o + 12);
    o += 16;
    writeDoubles(b, o, surfaces.coords, 3 * ss[2]);
    o += 24 * ss[2];
    for (const v of surfaces.surfaceOffsets) (b.writeUInt32LE(v, o), (o += 4));
    for (const v of surfaces.ringOffsets) (b.writeUInt32LE(v, o), (o += 4));
    for (const v of surfaces.types) b.writeUInt8(v, o++);
    if (withSource) writeDoubles(b, o, surfaces.sourceXY!, 2 * ss[2]);
  }
  return [start, size];
}

/** Decode one record; throws (a RangeError or SyntaxError) when it is damaged. */
export function decodeRecord(b: Buffer): { polygons: FlatPolygons; params: BuildingParams; surfaces: KeptSurfaces | null } {
  const jl = b.readUInt32LE(0), np = b.readUInt32LE(4), nr = b.readUInt32LE(8), nv = b.readUInt32LE(12);
  if (RECORD_HEAD + 4 * (np + nr + 2) + 16 * nv + jl > b.length) throw new RangeError('record larger than its slot');
  let o = RECORD_HEAD;
  const polygonOffsets: number[] = [];
  for (let i = 0; i <= np; i++, o += 4) polygonOffsets.push(b.readUInt32LE(o));
  const ringOffsets: number[] = [];
  for (let i = 0; i <= nr; i++, o += 4) ringOffsets.push(b.readUInt32LE(o));
  o += (8 - (o % 8)) % 8;
  const coords = readDoubles(b, o, 2 * nv);
  o += 16 * nv;
  const params = JSON.parse(b.toString('utf8', o, o + jl)) as BuildingParams;
  o += jl;
  let surfaces: KeptSurfaces | null = null;
  if (o < b.length) {
    o += (8 - (o % 8)) % 8;
    const ns = b.readUInt32LE(o), nr2 = b.readUInt32LE(o + 4), nv2 = b.readUInt32LE(o + 8), flags = b.readUInt32LE(o + 12);
    o += 16;
    if (o + 24 * nv2 + 4 * (ns + nr2 + 2) + ns + (flags & 1 ? 16 * nv2 : 0) > b.length) throw new RangeError('record larger than its slot');
    const c = readDoubles(b, o, 3 * nv2);
    o += 24 * nv2;
    const surfaceOffsets = new Uint32Array(ns + 1);
    for (let i = 0; i <= ns; i++, o += 4) surfaceOffsets[i] = b.readUInt32LE(o);
    const ro = new Uint32Array(nr2 + 1);
    for (let i = 0; i <= nr2; i++, o += 4) ro[i] = b.readUInt32LE(o);
    const types = Uint8Array.from(b.subarray(o, o + ns));
    o += ns;
    surfaces = { coords: c, ringOffsets: ro, surfaceOffsets, types };
    if (flags & 1) {
      surfaces.sourceXY = readDoubles(b, o, 2 * nv2);
    }
  }
  return { polygons: { coords, ringOffsets, polygonOffsets }, params, surfaces };
}
