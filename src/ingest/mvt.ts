import gdal from './gdal.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { PMTiles, TileType, tileIdToZxy, type RangeResponse, type Source as PmSource } from 'pmtiles';
import type { ReadContext } from './raw.js';
import type { TagValue } from './tags.js';
import { crsName, GEOMETRY_REASONS, validPolygonalWKB } from './ogr.js';
import { tileBounds } from './webmercator.js';

export { tileBounds } from './webmercator.js';
import { InputError, inputErrorOf } from '../core/errors.js';
import { OSM_ATTRIBUTION } from './options.js';
import { filteredLayer, hasBuildingKeys, isBuildingFeature } from './where.js';
import { emptyExtent, growByPoint, isEmptyExtent } from '../core/extent.js';
import { REJOIN_DEFAULTS, TileRejoiner } from './rejoin.js';
import type { Source, SourceBox, SourceFeature, SourceFormat, SourceOptions } from './source.js';

/** One vector tile of a tile source. */
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

/** The tiles of an input at its deepest zoom, and how to let go of the input (an open archive). */
export interface TileList {
  tiles: TileRef[];
  close(): void;
  /** Who the tiles are by, as the archive's metadata says (HTML stripped); absent when it does not say. */
  attribution?: string;
}

/** Attribution text from archive metadata (HTML links reduced to their text). */
const plainText = (html: unknown): string | undefined => (typeof html === 'string' && html.trim() ? html.replace(/<[^>]*>/g, '').replace(/&copy;/g, '©').replace(/&amp;/g, '&').trim() : undefined);

/** A piece of a feature as cut by one tile, in EPSG:3857. */
export interface TilePiece {
  z: number;
  x: number;
  y: number;
  fid: number;
  /** The layer it is in. */
  layer: string;
  /** `file#layer`, for the property table. */
  source: string;
  /** `<input> layer <layer>`, for messages. */
  where: string;
  /** The layer's fields are OSM tags. */
  osm: boolean;
  tags: Record<string, TagValue>;
  wkb: Uint8Array;
}

/** Options of the vector tile reader. */
export interface TileReadOptions {
  /** Largest size of one tile, compressed or not (bytes): a gzip bomb stops here. */
  maxTileBytes: number;
}

/** Defaults for {@link TileReadOptions}. */
export const TILE_READ_DEFAULTS: TileReadOptions = { maxTileBytes: 64 << 20 };

const TILE_NAME = /^(\d+)-(\d+)-(\d+)\.(mvt|pbf)$/i;
const TILE_PATH = /(?:^|[\\/])(\d+)[\\/](\d+)[\\/](\d+)\.(mvt|pbf)$/i;

/** Whether `file` looks like vector tiles: a `z-x-y.mvt` file, a `z/x/y.pbf` path, a folder of them, MBTiles or PMTiles. */
export function isTileSource(file: string): boolean {
  if (/\.(mbtiles|pmtiles)$/i.test(file)) return true;
  if (TILE_NAME.test(path.basename(file)) || TILE_PATH.test(file)) return true;
  try {
    if (fs.statSync(file).isDirectory()) return folderTiles(file).length > 0;
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
function fileTile(p: string, input: string): TileRef | null {
  const m = TILE_NAME.exec(path.basename(p)) ?? TILE_PATH.exec(p);
  if (!m) return null;
  const [z, x, y] = [+m[1], +m[2], +m[3]];
  checkedTile(p, z, x, y);
  return { z, x, y, input, read: async () => fs.readFileSync(p) };
}

function folderTiles(dir: string): TileRef[] {
  const out: TileRef[] = [];
  const walk = (d: string, depth: number) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.statSync(p);
      if (st.isDirectory()) {
        if (depth < 3) walk(p, depth + 1);
        continue;
      }
      const t = fileTile(p, dir);
      if (t) out.push(t);
    }
  };
  walk(dir, 0);
  return out;
}

/** A PMTiles source over a local file, read a range at a time. */
class NodeFileSource implements PmSource {
  private readonly fd: number;
  constructor(private readonly file: string) {
    this.fd = fs.openSync(file, 'r');
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

let vsiCounter = 0;

/** The tiles of an MBTiles file (its deepest zoom), each read from the archive when asked for. */
function mbtilesTiles(file: string): TileList {
  // GDAL's SQLite driver leaves *.mbtiles to the MBTiles driver, which hides the tile rows; a
  // symbolic link named *.sqlite lets us read the tiles table as it is
  const link = path.join(os.tmpdir(), `cityforge-${process.pid}-${vsiCounter++}.sqlite`);
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
    const format = sql(`SELECT value FROM metadata WHERE name = 'format'`).features.first()?.fields.get('value');
    if (typeof format === 'string' && format && !/^(pbf|mvt)$/i.test(format)) throw new InputError('ingest', `${file}: an MBTiles of ${format} raster tiles, not vector tiles`);
  } catch (e) {
    if (e instanceof InputError && /raster tiles/.test(e.message)) {
      ds.close();
      throw e;
    }
    // no metadata table: the tiles table says
  }
  let attribution: string | undefined;
  try {
    attribution = plainText(sql(`SELECT value FROM metadata WHERE name = 'attribution'`).features.first()?.fields.get('value'));
  } catch {
    // no metadata table
  }
  const tiles: TileRef[] = [];
  const rows = sql('SELECT zoom_level, tile_column, tile_row FROM tiles WHERE zoom_level = (SELECT max(zoom_level) FROM tiles) ORDER BY tile_column, tile_row');
  for (let f = rows.features.next(); f; f = rows.features.next()) {
    const z = f.fields.get('zoom_level') as number;
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
  return { tiles, close: () => ds.close(), attribution };
}

/** The tiles of a PMTiles archive (its deepest zoom, from its directories), each read when asked for. */
async function pmtilesTiles(file: string): Promise<TileList> {
  const src = new NodeFileSource(file);
  try {
    const pm = new PMTiles(src);
    const h = await pm.getHeader();
    if (h.tileType !== TileType.Mvt) throw new InputError('ingest', `${file}: PMTiles holds tile type ${h.tileType} (${['unknown', 'mvt', 'png', 'jpeg', 'webp', 'avif'][h.tileType] ?? '?'}), not vector tiles`);
    const tiles: TileRef[] = [];
    const walk = async (offset: number, length: number, depth: number): Promise<void> => {
      if (depth > 4) throw new InputError('ingest', `${file}: PMTiles directories nest too deep (damaged?)`);
      for (const e of await pm.cache.getDirectory(src, offset, length, h)) {
        if (e.runLength === 0) await walk(h.leafDirectoryOffset + e.offset, e.length, depth + 1);
        else
          for (let k = 0; k < e.runLength; k++) {
            const [z, x, y] = tileIdToZxy(e.tileId + k);
            if (z !== h.maxZoom) continue;
            checkedTile(file, z, x, y);
            tiles.push({ z, x, y, input: file, read: async () => new Uint8Array((await pm.getZxy(z, x, y))?.data ?? new ArrayBuffer(0)) });
          }
      }
    };
    await walk(h.rootDirectoryOffset, h.rootDirectoryLength, 0);
    let attribution: string | undefined;
    try {
      attribution = plainText(((await pm.getMetadata()) as { attribution?: unknown } | null)?.attribution);
    } catch {
      // no readable metadata: no attribution from it
    }
    return { tiles, close: () => src.close(), attribution };
  } catch (e) {
    src.close();
    throw e;
  }
}

/**
 * The tiles of a vector tile input at its deepest zoom (where buildings are complete), read lazily: a
 * folder's files, or an archive's rows, a tile at a time.
 */
export async function listTiles(file: string): Promise<TileList> {
  if (!fs.existsSync(file)) throw new InputError('ingest', `${file}: no such file or folder`);
  let list: TileList;
  if (/\.mbtiles$/i.test(file)) list = mbtilesTiles(file);
  else if (/\.pmtiles$/i.test(file)) list = await pmtilesTiles(file);
  else if (fs.statSync(file).isDirectory()) list = { tiles: folderTiles(file), close() {} };
  else {
    const t = fileTile(file, file);
    if (!t) throw new InputError('ingest', `${file}: a single vector tile must be named z-x-y.mvt or lie at z/x/y.mvt`);
    list = { tiles: [t], close() {} };
  }
  if (list.tiles.length === 0) {
    list.close();
    throw new InputError('ingest', `${file}: no vector tiles found`);
  }
  return list;
}

/**
 * The tiles of several inputs as one pyramid — the same tile given twice counts once (the first), and
 * only the deepest zoom of them all is read — in a fixed order.
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

/** The bytes of a tile, decompressed (gzip), within `maxBytes`; an {@link InputError} naming it otherwise. */
async function tileBytes(tile: TileRef, label: string, maxBytes: number): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await tile.read();
  } catch (e) {
    throw inputErrorOf('ingest', `${label}: cannot be read`, e);
  }
  if (bytes.byteLength === 0) throw new InputError('ingest', `${label}: empty (0 bytes), not a vector tile`);
  if (bytes.byteLength > maxBytes) throw new InputError('ingest', `${label}: ${bytes.byteLength} bytes, more than the limit of ${maxBytes} for one tile (--max-tile-mb)`);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = zlib.gunzipSync(bytes, { maxOutputLength: maxBytes });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') throw new InputError('ingest', `${label}: decompresses to more than the limit of ${maxBytes} bytes for one tile (a gzip bomb? --max-tile-mb)`);
      throw new InputError('ingest', `${label}: broken gzip (${(e as Error).message})`);
    }
  }
  return bytes;
}

/**
 * Decode one tile through GDAL's MVT driver (clipped to the tile, EPSG:3857): the pieces of the
 * layers asked for (all of them when `layers` is empty), and the names of every layer in the tile.
 */
export async function readTilePieces(tile: TileRef, layers: readonly string[], where: string | undefined, ctx: ReadContext, options: TileReadOptions = TILE_READ_DEFAULTS): Promise<{ pieces: TilePiece[]; layerNames: string[] }> {
  const label = `${tile.input} tile ${tile.z}/${tile.x}/${tile.y}`;
  const bytes = await tileBytes(tile, label, options.maxTileBytes);
  const vsi = `/vsimem/cityforge-${process.pid}-${vsiCounter++}/${tile.z}/${tile.x}/${tile.y}.pbf`;
  gdal.vsimem.set(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), vsi);
  const pieces: TilePiece[] = [];
  const layerNames: string[] = [];
  try {
    let ds: gdal.Dataset;
    try {
      ds = gdal.open(vsi, 'r', ['MVT']);
    } catch (e) {
      throw new InputError('ingest', `${label}: not a Mapbox Vector Tile (${(e as Error).message.trim()})`);
    }
    try {
      ds.layers.forEach((l) => {
        layerNames.push(l.name);
      });
      for (const name of layerNames) {
        if (layers.length && !layers.includes(name)) continue;
        readTileLayer(ds.layers.get(name), tile, label, where, ctx, pieces);
      }
    } finally {
      ds.close();
    }
  } finally {
    gdal.vsimem.release(vsi);
  }
  return { pieces, layerNames };
}

/** The pieces of one layer of a tile (buildings only, in a layer with every OSM tag and no --where). */
function readTileLayer(layer: gdal.Layer, tile: TileRef, label: string, where: string | undefined, ctx: ReadContext, out: TilePiece[]): void {
  const name = layer.name;
  const l = where ? filteredLayer(layer, where, `${label} layer ${name}`) : layer;
  const osm = hasBuildingKeys(layer.fields.getNames());
  const buildingsOnly = !where && osm;
  const source = `${path.basename(tile.input)}#${name}`;
  const at = `${tile.input} layer ${name}`;
  for (let f = l.features.next(); f; f = l.features.next()) {
    ctx.tick();
    const tags = f.fields.toObject() as Record<string, TagValue>;
    const detail = `${at} feature ${tile.z}/${tile.x}/${tile.y}#${f.fid}`;
    if (buildingsOnly && !isBuildingFeature(tags)) {
      ctx.skip('not-a-building', `${detail}: neither building nor building:part (a layer of every OSM tag; --where selects others)`);
      continue;
    }
    const why = { reason: '', repaired: false };
    const wkb = validPolygonalWKB(f.getGeometry(), why);
    if (!wkb) {
      ctx.skip(why.reason, `${detail}: ${GEOMETRY_REASONS[why.reason] ?? why.reason}`);
      continue;
    }
    if (why.repaired) ctx.warn('geometry:repaired', `${detail}: invalid geometry repaired with MakeValid`);
    out.push({ z: tile.z, x: tile.x, y: tile.y, fid: f.fid, layer: name, source, where: at, osm, tags, wkb });
  }
}

/**
 * Vector tiles, every tile input of a run as one pyramid (files, folders, globs, archives, mixed): a
 * building cut by the edge between two tiles is re-joined however the tiles were passed.
 */
class VectorTileSource implements Source {
  readonly label: string;
  private credits: string[] = [];

  attributions(): string[] {
    return this.credits;
  }

  constructor(
    readonly inputs: string[],
    private readonly options: SourceOptions,
  ) {
    this.label = inputs.length === 1 ? inputs[0] : inputs.length <= 3 ? inputs.join(', ') : `${inputs[0]} and ${inputs.length - 1} more tile inputs`;
  }

  private srs(): { srs: gdal.SpatialReference; crs: string } {
    const srs = this.options.sSrs ? gdal.SpatialReference.fromUserInput(this.options.sSrs) : gdal.SpatialReference.fromEPSG(3857);
    return { srs, crs: crsName(srs) };
  }

  async extent(): Promise<SourceBox[]> {
    const { srs, crs } = this.srs();
    const e = emptyExtent();
    const list = await pyramid(this.inputs);
    list.close();
    for (const t of list.tiles) {
      const [x0, y0, x1, y1] = tileBounds(t.z, t.x, t.y);
      growByPoint(growByPoint(e, x0, y0), x1, y1);
    }
    return isEmptyExtent(e) ? [] : [{ srs, crs, extent: e }];
  }

  /** A tile at a time; only the pieces on edges shared with another tile are held until the end, to be re-joined. */
  async *read(ctx: ReadContext): AsyncGenerator<SourceFeature> {
    const wanted = this.options.layers?.length ? this.options.layers : ['building'];
    const limits = { maxTileBytes: this.options.maxTileBytes ?? TILE_READ_DEFAULTS.maxTileBytes };
    const list = await pyramid(this.inputs);
    this.credits = list.attributions;
    const { srs, crs } = this.srs();
    const seenLayers = new Set<string>();
    let read = 0;
    const counting: ReadContext = { ...ctx, tick: () => { read++; ctx.tick(); } };
    const inPyramid = new Set(list.tiles.map((t) => `${t.z}:${t.x}:${t.y}`));
    const rejoiners = new Map<string, TileRejoiner>(wanted.map((l) => [l, new TileRejoiner(inPyramid, REJOIN_DEFAULTS)]));
    let nPieces = 0;
    let kept = 0;
    try {
      for (const t of list.tiles) {
        const { pieces, layerNames } = await readTilePieces(t, wanted, this.options.where, counting, limits);
        for (const n of layerNames) seenLayers.add(n);
        nPieces += pieces.length;
        for (const [layer, rejoiner] of rejoiners)
          for (const feature of rejoiner.add(pieces.filter((p) => p.layer === layer))) {
            yield { srs, crs, feature };
            kept++;
          }
        await new Promise((resolve) => setImmediate(resolve)); // gdal-async frees from the event loop
      }
    } finally {
      list.close();
    }
    const there = [...seenLayers].sort();
    for (const layer of wanted)
      if (!seenLayers.has(layer)) {
        const hint = there.length ? `; pass --layer ${there.length === 1 ? there[0] : `<name>`}` : '';
        throw new InputError('ingest', `${this.label} layer ${layer}: no such layer in its ${list.tiles.length} tile(s) (layers: ${there.join(', ') || 'none'})${hint}`);
      }
    if (read === 0) throw new InputError('ingest', `${this.label} layer ${wanted.join(',')}: no features in ${list.tiles.length} tile(s)${this.options.where ? ` (with --where '${this.options.where}')` : ''}`);
    for (const rejoiner of rejoiners.values())
      for (const feature of rejoiner.finish()) {
        yield { srs, crs, feature };
        kept++;
      }
    const r = [...rejoiners.values()].reduce((a, j) => ({ onEdges: a.onEdges + j.report.piecesOnEdges, groups: a.groups + j.report.groupsJoined, joined: a.joined + j.report.piecesJoined }), { onEdges: 0, groups: 0, joined: 0 });
    this.options.logger.info(`${this.label}: ${list.tiles.length} tiles${list.dropped ? ` (${list.dropped} more at other zooms or given twice, not read)` : ''}, ${nPieces} pieces (${r.onEdges} on tile edges) → ${kept} features (${r.groups} buildings re-joined from ${r.joined} pieces)`);
  }
}

/** Mapbox Vector Tiles: `z-x-y.mvt`, `z/x/y.pbf`, folders of them, `.mbtiles`, `.pmtiles` — all of a run's as one pyramid. */
export const VECTOR_TILES_FORMAT: SourceFormat = {
  name: 'vector-tiles',
  grouped: true,
  test: isTileSource,
  open: (inputs, options) => new VectorTileSource(inputs, options),
};
