import type { BuildingParams, FlatPolygons } from '../core/types.js';
import type { BufferedWriter } from './format.js';

/**
 * A spill record: u32 JSON bytes, u32 polygons, u32 rings, u32 vertices, u32 polygon offsets
 * (polygons + 1), u32 ring offsets (rings + 1), padding to 8, f64 x/y pairs, the parameters as JSON.
 */
const RECORD_HEAD = 16;

/** Encode one feature as a spill record into a writer; returns [offset, length]. */
export function appendRecord(w: BufferedWriter, polygons: FlatPolygons, params: BuildingParams): [number, number] {
  const json = Buffer.from(JSON.stringify(params));
  const np = polygons.polygonOffsets.length - 1, nr = polygons.ringOffsets.length - 1, nv = polygons.coords.length / 2;
  const ints = RECORD_HEAD + 4 * (np + 1 + nr + 1);
  const pad = (8 - (ints % 8)) % 8;
  const size = ints + pad + 16 * nv + json.length;
  const start = w.offset;
  const { buffer: b, at } = w.reserve(size);
  let o = at;
  b.writeUInt32LE(json.length, o);
  b.writeUInt32LE(np, o + 4);
  b.writeUInt32LE(nr, o + 8);
  b.writeUInt32LE(nv, o + 12);
  o += RECORD_HEAD;
  for (const v of polygons.polygonOffsets) (b.writeUInt32LE(v, o), (o += 4));
  for (const v of polygons.ringOffsets) (b.writeUInt32LE(v, o), (o += 4));
  o += pad;
  for (let i = 0; i < 2 * nv; i++) (b.writeDoubleLE(polygons.coords[i], o), (o += 8));
  json.copy(b, o);
  return [start, size];
}

/** Decode one record; throws (a RangeError or SyntaxError) when it is damaged. */
export function decodeRecord(b: Buffer): { polygons: FlatPolygons; params: BuildingParams } {
  const jl = b.readUInt32LE(0), np = b.readUInt32LE(4), nr = b.readUInt32LE(8), nv = b.readUInt32LE(12);
  if (RECORD_HEAD + 4 * (np + nr + 2) + 16 * nv + jl > b.length) throw new RangeError('record larger than its slot');
  let o = RECORD_HEAD;
  const polygonOffsets: number[] = [];
  for (let i = 0; i <= np; i++, o += 4) polygonOffsets.push(b.readUInt32LE(o));
  const ringOffsets: number[] = [];
  for (let i = 0; i <= nr; i++, o += 4) ringOffsets.push(b.readUInt32LE(o));
  o += (8 - (o % 8)) % 8;
  const coords = new Float64Array(2 * nv);
  for (let i = 0; i < 2 * nv; i++, o += 8) coords[i] = b.readDoubleLE(o);
  const params = JSON.parse(b.toString('utf8', o, o + jl)) as BuildingParams;
  return { polygons: { coords, ringOffsets, polygonOffsets }, params };
}
