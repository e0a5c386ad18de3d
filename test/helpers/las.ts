import fs from 'node:fs';

/** A point to write: coordinates and ASPRS class. */
export interface LasPoint { x: number; y: number; z: number; cls: number }

/**
 * The test's own LAS writer (independent of cityforge's reader): LAS 1.2 point format 1 with the CRS as
 * GeoTIFF keys (`epsg`), or LAS 1.4 point format 6 with the CRS as OGC WKT (`wkt`); no CRS when neither.
 * Scale 1 mm, offset at the first point.
 */
export function writeLas(file: string, points: LasPoint[], o: { version: '1.2' | '1.4'; epsg?: number; wkt?: string }): void {
  const v14 = o.version === '1.4';
  const headerSize = v14 ? 375 : 227;
  const recordLength = v14 ? 30 : 28;
  // the CRS record
  let vlr: Uint8Array | null = null;
  if (o.epsg || o.wkt) {
    const body = o.wkt ? new TextEncoder().encode(o.wkt + '\0') : new Uint8Array(new Uint16Array([1, 1, 0, 2, 1024, 0, 1, 1, 3072, 0, 1, o.epsg!]).buffer);
    vlr = new Uint8Array(54 + body.length);
    const dv = new DataView(vlr.buffer);
    new TextEncoder().encodeInto('LASF_Projection', vlr.subarray(2, 18));
    dv.setUint16(18, o.wkt ? 2112 : 34735, true);
    dv.setUint16(20, body.length, true);
    vlr.set(body, 54);
  }
  const offsetToPoints = headerSize + (vlr?.length ?? 0);
  const buf = new Uint8Array(offsetToPoints + points.length * recordLength);
  const dv = new DataView(buf.buffer);
  new TextEncoder().encodeInto('LASF', buf);
  if (v14 && o.wkt) dv.setUint16(6, 16, true); // global encoding: WKT
  buf[24] = 1;
  buf[25] = v14 ? 4 : 2;
  dv.setUint16(94, headerSize, true);
  dv.setUint32(96, offsetToPoints, true);
  dv.setUint32(100, vlr ? 1 : 0, true);
  buf[104] = v14 ? 6 : 1;
  dv.setUint16(105, recordLength, true);
  dv.setUint32(107, v14 ? 0 : points.length, true);
  const s = 0.001;
  const ox = points[0]?.x ?? 0, oy = points[0]?.y ?? 0, oz = 0;
  [s, s, s, ox, oy, oz].forEach((v, k) => dv.setFloat64(131 + 8 * k, v, true));
  const ext = (k: 'x' | 'y' | 'z', f: (a: number, b: number) => number) => points.reduce((a, p) => f(a, p[k]), f === Math.max ? -Infinity : Infinity);
  [ext('x', Math.max), ext('x', Math.min), ext('y', Math.max), ext('y', Math.min), ext('z', Math.max), ext('z', Math.min)].forEach((v, k) => dv.setFloat64(179 + 8 * k, v, true));
  if (v14) dv.setBigUint64(247, BigInt(points.length), true);
  if (vlr) buf.set(vlr, headerSize);
  points.forEach((p, i) => {
    const at = offsetToPoints + i * recordLength;
    dv.setInt32(at, Math.round((p.x - ox) / s), true);
    dv.setInt32(at + 4, Math.round((p.y - oy) / s), true);
    dv.setInt32(at + 8, Math.round((p.z - oz) / s), true);
    buf[at + 14] = v14 ? 0x11 : 0x09; // return 1 of 1
    if (v14) buf[at + 16] = p.cls;
    else buf[at + 15] = p.cls;
  });
  fs.writeFileSync(file, buf);
}
