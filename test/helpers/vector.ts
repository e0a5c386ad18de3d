import fs from 'node:fs';
import gdal from 'gdal-async';

/** The rows of a vector file's first layer (GDAL reads it), by the value of `key`. */
export function rowsBy<T>(file: string, key = 'ref'): Map<string, T> {
  const ds = gdal.open(file);
  const out = new Map<string, T>();
  for (const f of ds.layers.get(0).features) {
    const r = f.fields.toObject() as Record<string, unknown>;
    out.set(String(r[key]), r as T);
  }
  ds.close();
  return out;
}

/**
 * Write footprints as a GeoJSON FeatureCollection in the Dutch RD New CRS (EPSG:28992, named by a `crs`
 * member): each ring with its tags and a `ref` of `prefix` + its index. Returns the file.
 */
export function writeRdFootprints(file: string, features: { ring: number[][]; tags: Record<string, unknown> }[], prefix = 'w'): string {
  fs.writeFileSync(file, JSON.stringify({
    type: 'FeatureCollection',
    crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::28992' } },
    features: features.map((b, i) => ({ type: 'Feature', properties: { ref: `${prefix}${i}`, ...b.tags }, geometry: { type: 'Polygon', coordinates: [b.ring] } })),
  }));
  return file;
}

/** CRC-32 (IEEE) of some bytes, for {@link writeStoredZip}. */
function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** A zip archive of `files` (name → bytes), stored without compression: what a user's download holds, made without a zip tool. */
export function writeStoredZip(file: string, files: Record<string, Uint8Array>): string {
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, bytes] of Object.entries(files)) {
    const n = Buffer.from(name);
    const crc = crc32(bytes);
    // the local header and the central directory's entry: a signature, versions, then CRC, sizes and name length at `at`
    const record = (size: number, signature: number, versions: number, at: number) => {
      const b = Buffer.alloc(size);
      b.writeUInt32LE(signature, 0);
      for (let k = 0; k < versions; k++) b.writeUInt16LE(20, 4 + 2 * k);
      b.writeUInt32LE(crc, at);
      b.writeUInt32LE(bytes.length, at + 4);
      b.writeUInt32LE(bytes.length, at + 8);
      b.writeUInt16LE(n.length, at + 12);
      return b;
    };
    local.push(record(30, 0x04034b50, 1, 14), n, Buffer.from(bytes));
    const dir = record(46, 0x02014b50, 2, 16);
    dir.writeUInt32LE(offset, 42);
    central.push(dir, n);
    offset += 30 + n.length + bytes.length;
  }
  const size = central.reduce((s, b) => s + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  fs.writeFileSync(file, Buffer.concat([...local, ...central, end]));
  return file;
}
