/**
 * Tile pyramids on disk — `z-x-y.<ext>` files, `z/x/y.<ext>` folders, MBTiles and PMTiles archives —
 * listed a zoom at a time and read lazily, for vector tiles (MVT) and raster tiles (PNG, JPEG, WebP)
 * alike.
 */
import gdal from './gdal.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PMTiles, TileType, tileIdToZxy, type RangeResponse, type Source as PmSource } from 'pmtiles';
import { InputError, inputErrorOf } from '../core/errors.js';
import { OSM_ATTRIBUTION } from './options.js';

/** What a tile holds: vector features (MVT) or an image (PNG, JPEG, WebP). */
export type TileKind = 'vector' | 'raster';

/** One tile of a tile source. */
export interface TileRef {
  z: number;
  x: number;
  /** XYZ row (0 at the north). */
  y: number;
  /** The input it comes from (a file, a folder, an archive). */
  input: string;
  /** The tile's bytes as stored (gzip allowed), read when asked for. */
  read(): Promise<Uint8Array>;
}

/** The tiles of an input at one zoom, and how to let go of the input (an open archive). */
export interface TileList {
  tiles: TileRef[];
  close(): void;
  /** Who the tiles are by, as the archive's metadata says (HTML stripped); absent when it does not say. */
  attribution?: string;
  /** Every zoom the input holds, ascending. */
  zooms?: number[];
  /** The archive's metadata (MBTiles `metadata` rows, PMTiles JSON metadata), as text values. */
  metadata?: Record<string, string>;
}

/** Options of {@link listTiles}. */
export interface ListTilesOptions {
  kind: TileKind;
  /** The zoom to list; default the deepest the input holds. */
  zoom?: number;
}

/** Attribution text from archive metadata (HTML links reduced to their text). */
const plainText = (html: unknown): string | undefined => (typeof html === 'string' && html.trim() ? html.replace(/<[^>]*>/g, '').replace(/&copy;/g, '©').replace(/&amp;/g, '&').trim() : undefined);

const EXT: Record<TileKind, string> = { vector: 'mvt|pbf', raster: 'png|jpe?g|webp' };
const tileName = (kind: TileKind) => new RegExp(`^(\\d+)-(\\d+)-(\\d+)\\.(${EXT[kind]})$`, 'i');
const tilePath = (kind: TileKind) => new RegExp(`(?:^|[\\\\/])(\\d+)[\\\\/](\\d+)[\\\\/](\\d+)\\.(${EXT[kind]})$`, 'i');

/** Whether `file` looks like tiles of `kind`: a `z-x-y.<ext>` file, a `z/x/y.<ext>` path, a folder of them, MBTiles or PMTiles (their content is checked when listed). */
export function isTileInput(file: string, kind: TileKind): boolean {
  if (/\.(mbtiles|pmtiles)$/i.test(file)) return true;
  if (tileName(kind).test(path.basename(file)) || tilePath(kind).test(file)) return true;
  try {
    if (fs.statSync(file).isDirectory()) return folderTiles(file, kind).length > 0;
  } catch {
    return false;
  }
  return false;
}

/** A tile address, checked: zoom 0–30, x and y within the zoom's range; otherwise an {@link InputError} naming it. */
function checkedTile(label: string, z: number, x: number, y: number): void {
  if (!(Number.isInteger(z) && z >= 0 && z <= 30)) throw new InputError('ingest', `${label}: tile zoom ${z} is not 0–30`);
  const n = 2 ** z;
  if (!(Number.isInteger(x) && Number.isInteger(y) && x >= 0 && y >= 0 && x < n && y < n)) throw new InputError('ingest', `${label}: tile ${z}/${x}/${y} is outside zoom ${z} (x and y are 0–${n - 1})`);
}

/** A tile file: its address from its name (`z-x-y.mvt`) or path (`z/x/y.pbf`), checked. */
function fileTile(p: string, input: string, kind: TileKind): TileRef | null {
  const m = tileName(kind).exec(path.basename(p)) ?? tilePath(kind).exec(p);
  if (!m) return null;
  const [z, x, y] = [+m[1], +m[2], +m[3]];
  checkedTile(p, z, x, y);
  return { z, x, y, input, read: async () => fs.readFileSync(p) };
}

function folderTiles(dir: string, kind: TileKind): TileRef[] {
  const out: TileRef[] = [];
  const walk = (d: string, depth: number) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.statSync(p);
      if (st.isDirectory()) {
        if (depth < 3) walk(p, depth + 1);
        continue;
      }
      const t = fileTile(p, dir, kind);
      if (t) out.push(t);
    }
  };
  walk(dir, 0);
  return out;
}

/** A PMTiles source over a local file, read a range at a time. */
class NodeFileSource implements PmSource {
  private readonly fd: number;
  /** The file's length in bytes. */
  readonly size: number;
  constructor(private readonly file: string) {
    this.fd = fs.openSync(file, 'r');
    this.size = fs.fstatSync(this.fd).size;
  }
  getKey(): string {
    return this.file;
  }
  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    const buf = Buffer.alloc(length);
    const n = fs.readSync(this.fd, buf, 0, length, offset);
    return { data: buf.buffer.slice(buf.byteOffset, buf.byteOffset + n) };
  }
  close(): void {
    fs.closeSync(this.fd);
  }
}

let linkCounter = 0;

/** Latitude (degrees) of the top edge of row `y` of zoom `z` (XYZ rows, from the north). */
const rowLat = (z: number, y: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / 2 ** z))) * 180) / Math.PI;

/**
 * mbtiles-rows-upside-down: an MBTiles numbers its rows from the south (TMS); one written with XYZ rows
 * (from the north) put a city at 37.77° S where its own `bounds` said 37.77° N, in silence. When the
 * tiles, read as TMS, lie apart from the `bounds` the file declares and read as XYZ lie within them: an
 * {@link InputError} saying so and how to renumber them.
 */
function checkRowOrder(file: string, z: number, tiles: readonly TileRef[], bounds: string | undefined): void {
  const b = (bounds ?? '').split(',').map(Number);
  if (!tiles.length || b.length !== 4 || !b.every(Number.isFinite) || !(b[3] > b[1])) return;
  let north = -Infinity, south = Infinity;
  for (const t of tiles) (north = Math.max(north, rowLat(z, t.y))), (south = Math.min(south, rowLat(z, t.y + 1)));
  // (a tile's height of slack: bounds are often rounded or cover a little less than the tiles)
  const slack = (north - south) / 2 + 180 / 2 ** z;
  const apart = (s: number, n: number) => n < b[1] - slack || s > b[3] + slack;
  // rows read the other way: the latitudes mirrored about the equator
  if (apart(south, north) && !apart(-north, -south)) {
    const at = (v: number) => `${Math.abs(v).toFixed(2)}° ${v < 0 ? 'S' : 'N'}`;
    throw new InputError('ingest', `${file}: its tiles, their rows read from the south as MBTiles numbers them (TMS), lie at ${at(south)}…${at(north)}, but its bounds say ${at(b[1])}…${at(b[3])}: its rows are numbered from the north (XYZ); renumber them (Debian's sqlite3): sqlite3 ${file} "UPDATE tiles SET tile_row = (1 << zoom_level) - 1 - tile_row"`);
  }
}

/** The zoom to list: the one asked for (it must exist), or the deepest. */
function pickZoom(file: string, zooms: number[], zoom: number | undefined): number {
  if (zoom === undefined) return zooms[zooms.length - 1];
  if (!zooms.includes(zoom)) throw new InputError('ingest', `${file}: no tiles at zoom ${zoom} (it holds zoom ${zooms.join(', ')})`);
  return zoom;
}

/** The tiles of an MBTiles file at one zoom, each read from the archive when asked for. */
function mbtilesTiles(file: string, o: ListTilesOptions): TileList {
  // GDAL's SQLite driver leaves *.mbtiles to the MBTiles driver, which hides the tile rows; a
  // symbolic link named *.sqlite lets us read the tiles table as it is
  const link = path.join(os.tmpdir(), `cityforge-${process.pid}-${linkCounter++}.sqlite`);
  fs.symlinkSync(path.resolve(file), link);
  let ds: gdal.Dataset;
  try {
    ds = gdal.open(link, 'r', ['SQLite']);
  } catch (e) {
    throw new InputError('ingest', `${file}: cannot open as MBTiles (${(e as Error).message.trim()})`);
  } finally {
    fs.rmSync(link, { force: true });
  }
  const sql = (q: string) => {
    try {
      return ds.executeSQL(q, undefined, 'SQLITE');
    } catch (e) {
      throw new InputError('ingest', `${file}: not an MBTiles file (${(e as Error).message.trim()})`);
    }
  };
  try {
    const metadata: Record<string, string> = {};
    try {
      const rows = sql(`SELECT name, value FROM metadata`);
      for (let f = rows.features.next(); f; f = rows.features.next()) {
        const k = f.fields.get('name'), v = f.fields.get('value');
        if (typeof k === 'string' && v !== null && v !== undefined) metadata[k] = String(v);
      }
    } catch {
      // no metadata table: the tiles table says
    }
    const format = metadata.format ?? '';
    if (o.kind === 'vector' && format && !/^(pbf|mvt)$/i.test(format)) throw new InputError('ingest', `${file}: an MBTiles of ${format} raster tiles, not vector tiles`);
    if (o.kind === 'raster' && /^(pbf|mvt)$/i.test(format)) throw new InputError('ingest', `${file}: an MBTiles of vector tiles, not raster tiles (PNG, JPEG or WebP)`);
    const zooms: number[] = [];
    const zr = sql('SELECT DISTINCT zoom_level AS z FROM tiles ORDER BY zoom_level');
    for (let f = zr.features.next(); f; f = zr.features.next()) zooms.push(f.fields.get('z') as number);
    if (!zooms.length) return { tiles: [], close: () => ds.close(), zooms, metadata };
    const z = pickZoom(file, zooms, o.zoom);
    const tiles: TileRef[] = [];
    const rows = sql(`SELECT tile_column, tile_row FROM tiles WHERE zoom_level = ${z} ORDER BY tile_column, tile_row`);
    for (let f = rows.features.next(); f; f = rows.features.next()) {
      const x = f.fields.get('tile_column') as number;
      const tmsY = f.fields.get('tile_row') as number;
      checkedTile(file, z, x, 2 ** z - 1 - tmsY);
      tiles.push({
        z, x, y: 2 ** z - 1 - tmsY, input: file,
        read: async () => {
          const r = sql(`SELECT hex(tile_data) AS hex FROM tiles WHERE zoom_level = ${z} AND tile_column = ${x} AND tile_row = ${tmsY}`).features.first();
          return Buffer.from((r?.fields.get('hex') as string | null) ?? '', 'hex');
        },
      });
    }
    checkRowOrder(file, z, tiles, metadata.bounds);
    return { tiles, close: () => ds.close(), attribution: plainText(metadata.attribution), zooms, metadata };
  } catch (e) {
    ds.close();
    throw e;
  }
}

const PM_TYPES = ['unknown', 'mvt', 'png', 'jpeg', 'webp', 'avif'];

/** The tiles of a PMTiles archive at one zoom (from its directories), each read when asked for. */
async function pmtilesTiles(file: string, o: ListTilesOptions): Promise<TileList> {
  const src = new NodeFileSource(file);
  try {
    const pm = new PMTiles(src);
    // (pmtiles-cut-short: a file cut inside its header threw from the library's DataView, a stack trace
    // and exit 1; cut further on, every tile read as empty)
    let h: Awaited<ReturnType<PMTiles['getHeader']>>;
    try {
      h = await pm.getHeader();
    } catch (e) {
      throw new InputError('ingest', `${file}: not a PMTiles archive, or cut short (${src.size} bytes; ${(e as Error).message})`);
    }
    const end = Math.max(h.rootDirectoryOffset + h.rootDirectoryLength, h.jsonMetadataOffset + h.jsonMetadataLength, h.leafDirectoryOffset + (h.leafDirectoryLength ?? 0), h.tileDataOffset + (h.tileDataLength ?? 0));
    if (end > src.size) throw new InputError('ingest', `${file}: cut short: the archive says it holds ${end} bytes, the file has ${src.size} (an unfinished download or copy?)`);
    const typeName = PM_TYPES[h.tileType] ?? '?';
    if (o.kind === 'vector' && h.tileType !== TileType.Mvt) throw new InputError('ingest', `${file}: PMTiles holds tile type ${h.tileType} (${typeName}), not vector tiles`);
    if (o.kind === 'raster' && ![TileType.Png, TileType.Jpeg, TileType.Webp].includes(h.tileType)) throw new InputError('ingest', `${file}: PMTiles holds tile type ${h.tileType} (${typeName}), not raster tiles (PNG, JPEG or WebP)`);
    const entries: [number, number, number][] = [];
    const walk = async (offset: number, length: number, depth: number): Promise<void> => {
      if (depth > 4) throw new InputError('ingest', `${file}: PMTiles directories nest too deep (damaged?)`);
      for (const e of await pm.cache.getDirectory(src, offset, length, h)) {
        if (e.runLength === 0) await walk(h.leafDirectoryOffset + e.offset, e.length, depth + 1);
        else for (let k = 0; k < e.runLength; k++) entries.push(tileIdToZxy(e.tileId + k));
      }
    };
    await walk(h.rootDirectoryOffset, h.rootDirectoryLength, 0);
    const zooms = [...new Set(entries.map((e) => e[0]))].sort((a, b) => a - b);
    const z = zooms.length ? pickZoom(file, zooms, o.zoom ?? (o.kind === 'vector' ? h.maxZoom : undefined)) : h.maxZoom;
    const tiles: TileRef[] = [];
    for (const [tz, x, y] of entries) {
      if (tz !== z) continue;
      checkedTile(file, tz, x, y);
      tiles.push({ z: tz, x, y, input: file, read: async () => new Uint8Array((await pm.getZxy(tz, x, y))?.data ?? new ArrayBuffer(0)) });
    }
    const metadata: Record<string, string> = {};
    try {
      const m = (await pm.getMetadata()) as Record<string, unknown> | null;
      for (const [k, v] of Object.entries(m ?? {})) if (v !== null && typeof v !== 'object') metadata[k] = String(v);
    } catch {
      // no readable metadata
    }
    return { tiles, close: () => src.close(), attribution: plainText(metadata.attribution), zooms, metadata };
  } catch (e) {
    src.close();
    throw e;
  }
}

/**
 * The tiles of a tile input at one zoom (default its deepest: for vector tiles, where buildings are
 * complete), read lazily: a folder's files, or an archive's rows, a tile at a time.
 */
export async function listTiles(file: string, options: ListTilesOptions = { kind: 'vector' }): Promise<TileList> {
  const what = options.kind === 'vector' ? 'vector tiles' : 'raster tiles (PNG, JPEG or WebP)';
  if (!fs.existsSync(file)) throw new InputError('ingest', `${file}: no such file or folder`);
  let list: TileList;
  if (/\.mbtiles$/i.test(file)) list = mbtilesTiles(file, options);
  else if (/\.pmtiles$/i.test(file)) list = await pmtilesTiles(file, options);
  else if (fs.statSync(file).isDirectory()) {
    const all = folderTiles(file, options.kind);
    const zooms = [...new Set(all.map((t) => t.z))].sort((a, b) => a - b);
    const z = zooms.length ? (options.kind === 'vector' && options.zoom === undefined ? undefined : pickZoom(file, zooms, options.zoom)) : undefined;
    list = { tiles: z === undefined ? all : all.filter((t) => t.z === z), close() {}, zooms };
  } else {
    const t = fileTile(file, file, options.kind);
    if (!t) throw new InputError('ingest', `${file}: a single tile must be named z-x-y.${options.kind === 'vector' ? 'mvt' : 'png'} or lie at z/x/y.${options.kind === 'vector' ? 'mvt' : 'png'}`);
    list = { tiles: [t], close() {}, zooms: [t.z] };
  }
  if (list.tiles.length === 0) {
    list.close();
    throw new InputError('ingest', `${file}: no ${what} found`);
  }
  return list;
}

/**
 * The tiles of several vector tile inputs as one pyramid — the same tile given twice counts once (the
 * first), and only the deepest zoom of them all is read — in a fixed order.
 */
export async function pyramid(inputs: readonly string[]): Promise<TileList & { dropped: number; attributions: string[] }> {
  const lists: TileList[] = [];
  try {
    for (const input of inputs) lists.push(await listTiles(input));
  } catch (e) {
    for (const l of lists) l.close();
    throw e;
  }
  const all = lists.flatMap((l) => l.tiles);
  const maxZ = Math.max(...all.map((t) => t.z));
  const seen = new Set<string>();
  const tiles: TileRef[] = [];
  for (const t of all) {
    const key = `${t.z}:${t.x}:${t.y}`;
    if (t.z !== maxZ || seen.has(key)) continue;
    seen.add(key);
    tiles.push(t);
  }
  tiles.sort((a, b) => a.x - b.x || a.y - b.y);
  // tiles without metadata (files, folders) are taken as OpenStreetMap-based, as nearly every vector tile set is
  const attributions = [...new Set(lists.map((l) => l.attribution ?? OSM_ATTRIBUTION))];
  return { tiles, dropped: all.length - tiles.length, close: () => lists.forEach((l) => l.close()), attributions };
}

/**
 * A tile's bytes as stored, within `maxBytes`; an {@link InputError} naming it (`label`) when it cannot
 * be read, is empty (`what` says what it should have been) or is larger.
 */
export async function storedTileBytes(tile: TileRef, label: string, maxBytes: number, what = 'a tile', limitOption = ''): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await tile.read();
  } catch (e) {
    throw inputErrorOf('ingest', `${label}: cannot be read`, e);
  }
  if (bytes.byteLength === 0) throw new InputError('ingest', `${label}: empty (0 bytes), not ${what}`);
  if (bytes.byteLength > maxBytes) throw new InputError('ingest', `${label}: ${bytes.byteLength} bytes, more than the limit of ${maxBytes} for one tile${limitOption ? ` (${limitOption})` : ''}`);
  return bytes;
}
