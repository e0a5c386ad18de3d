/**
 * Minimal WKB reading/writing for polygonal geometry, straight into flat arrays.
 * Reads ISO and extended (EWKB) WKB, 2D/Z/M/ZM, little and big endian; keeps x and y.
 */

import type { FlatPolygons } from '../core/types.js';

export type { FlatPolygons } from '../core/types.js';

/** Thrown for WKB that is not polygonal; the message says what it was. */
export class NotPolygonalError extends Error {}

const TYPE_NAMES: Record<number, string> = { 1: 'Point', 2: 'LineString', 3: 'Polygon', 4: 'MultiPoint', 5: 'MultiLineString', 6: 'MultiPolygon', 7: 'GeometryCollection' };

/** Parse polygonal WKB (Polygon, MultiPolygon, or polygons inside a GeometryCollection). */
export function parsePolygonalWKB(wkb: Uint8Array): FlatPolygons {
  const view = new DataView(wkb.buffer, wkb.byteOffset, wkb.byteLength);
  const coords: number[] = [];
  const ringOffsets: number[] = [0];
  const polygonOffsets: number[] = [0];
  let pos = 0;
  let polygonal = 0;
  let other = '';

  const readGeometry = (): void => {
    const le = view.getUint8(pos) === 1;
    pos += 1;
    let type = view.getUint32(pos, le);
    pos += 4;
    let dims = 2;
    if (type & 0x80000000) dims++;
    if (type & 0x40000000) dims++;
    if (type & 0x20000000) pos += 4; // SRID
    type &= 0x0fffffff;
    const iso = Math.floor(type / 1000);
    if (iso === 1 || iso === 2) dims = 3;
    else if (iso === 3) dims = 4;
    type %= 1000;
    const readCount = () => {
      const n = view.getUint32(pos, le);
      pos += 4;
      return n;
    };
    const stride = 8 * dims;
    const skipPoints = (n: number) => (pos += n * stride);
    switch (type) {
      case 3: {
        const rings = readCount();
        for (let r = 0; r < rings; r++) {
          const n = readCount();
          for (let i = 0; i < n; i++) {
            coords.push(view.getFloat64(pos, le), view.getFloat64(pos + 8, le));
            pos += stride;
          }
          ringOffsets.push(coords.length / 2);
        }
        polygonOffsets.push(ringOffsets.length - 1);
        polygonal++;
        break;
      }
      case 6:
      case 7: {
        const n = readCount();
        for (let i = 0; i < n; i++) readGeometry();
        break;
      }
      case 1:
        other ||= TYPE_NAMES[type];
        skipPoints(1);
        break;
      case 2:
        other ||= TYPE_NAMES[type];
        skipPoints(readCount());
        break;
      case 4:
      case 5: {
        other ||= TYPE_NAMES[type];
        const n = readCount();
        for (let i = 0; i < n; i++) readGeometry();
        break;
      }
      default:
        throw new NotPolygonalError(`unsupported WKB geometry type ${type}`);
    }
  };
  readGeometry();
  if (polygonal === 0) throw new NotPolygonalError(`geometry is ${other || 'empty'}, not a polygon`);
  return { coords: Float64Array.from(coords), ringOffsets, polygonOffsets };
}

/** Write polygons as little-endian 2D WKB (a Polygon when there is one, else a MultiPolygon). */
export function writePolygonalWKB(p: FlatPolygons): Uint8Array {
  const polys = p.polygonOffsets.length - 1;
  let size = polys === 1 ? 0 : 9;
  for (let k = 0; k < polys; k++) {
    size += 9;
    for (let r = p.polygonOffsets[k]; r < p.polygonOffsets[k + 1]; r++) size += 4 + 16 * (p.ringOffsets[r + 1] - p.ringOffsets[r]);
  }
  const buf = new Uint8Array(size);
  const view = new DataView(buf.buffer);
  let pos = 0;
  const header = (type: number, n: number) => {
    view.setUint8(pos, 1);
    view.setUint32(pos + 1, type, true);
    view.setUint32(pos + 5, n, true);
    pos += 9;
  };
  if (polys !== 1) header(6, polys);
  for (let k = 0; k < polys; k++) {
    header(3, p.polygonOffsets[k + 1] - p.polygonOffsets[k]);
    for (let r = p.polygonOffsets[k]; r < p.polygonOffsets[k + 1]; r++) {
      const a = p.ringOffsets[r];
      const b = p.ringOffsets[r + 1];
      view.setUint32(pos, b - a, true);
      pos += 4;
      for (let i = a; i < b; i++) {
        view.setFloat64(pos, p.coords[2 * i], true);
        view.setFloat64(pos + 8, p.coords[2 * i + 1], true);
        pos += 16;
      }
    }
  }
  return buf;
}
