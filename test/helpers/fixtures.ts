import gdal from 'gdal-async';
import fs from 'node:fs';
import path from 'node:path';

/** Where tests write what they make (ignored by git). */
export const OUT = path.join(import.meta.dirname, '..', '..', 'test-output');
/** The project's sample data. */
export const DATA = path.join(import.meta.dirname, '..', '..', 'data');
/** Shared data beside the project (may be absent: tests using it skip with a message). */
export const SHARED = path.join(import.meta.dirname, '..', '..', '..', 'shared', 'data');

/** A fresh folder under test-output. */
export function freshDir(name: string): string {
  const d = path.join(OUT, name);
  fs.rmSync(d, { recursive: true, force: true });
  fs.mkdirSync(d, { recursive: true });
  return d;
}

/**
 * The buildings of one real SF tile (15/5238/12666) as GeoJSON in EPSG:4326, made with GDAL's
 * MVT driver: the seed every format fixture is translated from.
 */
export function sfTileGeoJSON(dir: string): string {
  const out = path.join(dir, 'sf-tile.geojson');
  if (fs.existsSync(out)) return out;
  const vsi = '/vsimem/fixtures/15/5238/12666.pbf';
  gdal.vsimem.set(fs.readFileSync(path.join(DATA, 'sf-mvt', '15-5238-12666.mvt')), vsi);
  const src = gdal.open(vsi);
  gdal.vectorTranslate(out, src, ['-f', 'GeoJSON', '-t_srs', 'EPSG:4326', '-nlt', 'MULTIPOLYGON', '-lco', 'RFC7946=NO', '-lco', 'COORDINATE_PRECISION=9', 'building']).close();
  src.close();
  gdal.vsimem.release(vsi);
  return out;
}

/** Translate a vector file with GDAL (like ogr2ogr). */
export function translate(src: string, dst: string, args: string[]): string {
  const ds = gdal.open(src);
  gdal.vectorTranslate(dst, ds, args).close();
  ds.close();
  return dst;
}

// --- a minimal PMTiles v3 writer (test-only), so PMTiles reading is tested without network tools ---

function varint(out: number[], v: number): void {
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

function zxyToTileId(z: number, x: number, y: number): number {
  let acc = 0;
  for (let t = 0; t < z; t++) acc += 4 ** t;
  // Hilbert curve index of (x, y) at zoom z
  const n = 2 ** z;
  let d = 0;
  let rx: number, ry: number;
  for (let s = n / 2; s >= 1; s /= 2) {
    rx = (x & s) > 0 ? 1 : 0;
    ry = (y & s) > 0 ? 1 : 0;
    d += s * s * ((3 * rx) ^ ry);
    if (ry === 0) {
      if (rx === 1) {
        x = s - 1 - x;
        y = s - 1 - y;
      }
      [x, y] = [y, x];
    }
  }
  return acc + d;
}

/** Write tiles `{z, x, y, data}` (uncompressed MVT) as a PMTiles v3 archive. */
export function writePmtiles(file: string, tiles: { z: number; x: number; y: number; data: Uint8Array }[], bounds: [number, number, number, number]): void {
  const entries = tiles.map((t) => ({ id: zxyToTileId(t.z, t.x, t.y), data: t.data })).sort((a, b) => a.id - b.id);
  const dir: number[] = [];
  varint(dir, entries.length);
  let last = 0;
  for (const e of entries) {
    varint(dir, e.id - last);
    last = e.id;
  }
  for (let i = 0; i < entries.length; i++) varint(dir, 1); // run lengths
  for (let i = 0; i < entries.length; i++) varint(dir, entries[i].data.length);
  for (let i = 0; i < entries.length; i++) varint(dir, i === 0 ? 1 : 0); // offset: 0 → contiguous
  const dirBytes = Uint8Array.from(dir);
  const meta = new TextEncoder().encode('{}');
  const dataLen = entries.reduce((s, e) => s + e.data.length, 0);
  const h = Buffer.alloc(127);
  h.write('PMTiles', 0, 'ascii');
  h.writeUInt8(3, 7);
  let o = 8;
  const u64 = (v: number) => {
    h.writeBigUInt64LE(BigInt(v), o);
    o += 8;
  };
  const rootOff = 127;
  u64(rootOff);
  u64(dirBytes.length);
  u64(rootOff + dirBytes.length);
  u64(meta.length);
  u64(0);
  u64(0); // leaf dirs
  u64(rootOff + dirBytes.length + meta.length);
  u64(dataLen);
  u64(entries.length); // addressed tiles
  u64(entries.length); // tile entries
  u64(entries.length); // tile contents
  h.writeUInt8(1, o++); // clustered
  h.writeUInt8(1, o++); // internal compression: none
  h.writeUInt8(1, o++); // tile compression: none
  h.writeUInt8(1, o++); // tile type: mvt
  const zs = tiles.map((t) => t.z);
  h.writeUInt8(Math.min(...zs), o++);
  h.writeUInt8(Math.max(...zs), o++);
  const e7 = (v: number) => {
    h.writeInt32LE(Math.round(v * 1e7), o);
    o += 4;
  };
  e7(bounds[0]);
  e7(bounds[1]);
  e7(bounds[2]);
  e7(bounds[3]);
  h.writeUInt8(Math.max(...zs), o++);
  e7((bounds[0] + bounds[2]) / 2);
  e7((bounds[1] + bounds[3]) / 2);
  fs.writeFileSync(file, Buffer.concat([h, dirBytes, meta, ...entries.map((e) => e.data)]));
}

// --- OSM-QA-like vector tiles (test-only): a layer of every OSM tag, tiles with different schemas ---

const rect = (lon0: number, lat0: number, lon1: number, lat1: number) => [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]];

/**
 * A GeoJSON of OSM-like features around the edge between z15 tiles 5238 and 5239 (lon −122.442627):
 * a building cut by the edge (no `name`), a named building only in the west tile (so the west tile's
 * schema has `name` and the east tile's has not), an unnamed one in the east tile, and a park (not a
 * building) across the edge.
 */
export function osmQaGeoJSON(dir: string): string {
  const edge = -122.442626953125;
  const f = (props: Record<string, unknown>, coords: unknown) => ({ type: 'Feature', properties: props, geometry: { type: 'Polygon', coordinates: coords } });
  const features = [
    f({ '@id': 1, building: 'yes', height: 20 }, rect(edge - 0.0004, 37.765, edge + 0.0004, 37.7654)),
    f({ '@id': 2, building: 'house', name: 'West Hall', 'addr:street': 'Haight Street', height: 9 }, rect(edge - 0.003, 37.766, edge - 0.0025, 37.7663)),
    f({ '@id': 3, building: 'yes', height: 12 }, rect(edge + 0.002, 37.766, edge + 0.0025, 37.7663)),
    f({ '@id': 4, leisure: 'park' }, rect(edge - 0.001, 37.7640, edge + 0.001, 37.7645)),
  ];
  const out = path.join(dir, 'osm-qa.geojson');
  fs.writeFileSync(out, JSON.stringify({ type: 'FeatureCollection', features }));
  return out;
}

/** Write a vector-tile pyramid (z/x/y.pbf, gzip unless `compress` is false) of one zoom from a vector file, with GDAL's MVT driver. */
export function writeMvtFolder(src: string, dir: string, layer: string, zoom = 15, compress = true): string {
  fs.rmSync(dir, { recursive: true, force: true });
  const ds = gdal.open(src);
  gdal.vectorTranslate(dir, ds, ['-f', 'MVT', '-nln', layer, '-dsco', `MINZOOM=${zoom}`, '-dsco', `MAXZOOM=${zoom}`, '-dsco', `COMPRESS=${compress ? 'YES' : 'NO'}`, '-dsco', 'MAX_SIZE=5000000']).close();
  ds.close();
  fs.rmSync(path.join(dir, 'metadata.json'), { force: true });
  return dir;
}

/** A closed star ring of `n` points around the origin, alternating radii `outer` and `inner` (m). */
export function starRing(n: number, outer: number, inner: number): number[][] {
  const ring: number[][] = [];
  for (let i = 0; i <= n; i++) {
    const a = (2 * Math.PI * (i % n)) / n, r = i % 2 ? inner : outer;
    ring.push([r * Math.cos(a), r * Math.sin(a)]);
  }
  return ring;
}
