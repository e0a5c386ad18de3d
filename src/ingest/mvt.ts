import gdal from './gdal.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { PMTiles, type RangeResponse, type Source as PmSource } from 'pmtiles';
import type { ReadContext } from './raw.js';
import type { TagValue } from './tags.js';
import { crsName, validPolygonalWKB } from './ogr.js';
import { tileBounds } from './webmercator.js';

export { tileBounds } from './webmercator.js';
import { InputError } from '../core/errors.js';
import { emptyExtent, growByPoint, isEmptyExtent } from '../core/extent.js';
import { REJOIN_DEFAULTS, TileRejoiner } from './rejoin.js';
import type { Source, SourceBox, SourceFeature, SourceFormat, SourceOptions } from './source.js';

/** One vector tile of a tileset. */
export interface TileRef {
  z: number;
  x: number;
  /** XYZ row (0 at the north). */
  y: number;
  /** The tile's bytes (gzip allowed). */
  read(): Promise<Uint8Array>;
}

/** A piece of a feature as cut by one tile, in EPSG:3857. */
export interface TilePiece {
  z: number;
  x: number;
  y: number;
  fid: number;
  tags: Record<string, TagValue>;
  wkb: Uint8Array;
}

const TILE_NAME = /^(\d+)-(\d+)-(\d+)\.(mvt|pbf)$/i;
const TILE_PATH = /(?:^|[\\/])(\d+)[\\/](\d+)[\\/](\d+)\.(mvt|pbf)$/i;

/** Whether `file` looks like vector tiles: a `z-x-y.mvt` file, a `z/x/y.pbf` path, a folder of them, MBTiles or PMTiles. */
export function isTileSource(file: string): boolean {
  if (/\.(mbtiles|pmtiles)$/i.test(file)) return true;
  if (TILE_NAME.test(path.basename(file)) || TILE_PATH.test(file)) return true;
  try {
    if (fs.statSync(file).isDirectory()) return listFolderTiles(file).length > 0;
  } catch {
    return false;
  }
  return false;
}

function listFolderTiles(dir: string): TileRef[] {
  const out: TileRef[] = [];
  const walk = (d: string, depth: number) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.statSync(p);
      if (st.isDirectory()) {
        if (depth < 3) walk(p, depth + 1);
        continue;
      }
      const m = TILE_NAME.exec(name) ?? TILE_PATH.exec(p);
      if (m) out.push(fileTile(p, +m[1], +m[2], +m[3]));
    }
  };
  walk(dir, 0);
  return out;
}

const fileTile = (p: string, z: number, x: number, y: number): TileRef => ({ z, x, y, read: async () => fs.readFileSync(p) });

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

/** List the tiles of a vector tile source (the highest zoom level only: that is where buildings are complete). */
export async function listTiles(file: string): Promise<TileRef[]> {
  if (!fs.existsSync(file)) throw new InputError('ingest', `${file}: no such file or folder`);
  let tiles: TileRef[];
  if (/\.mbtiles$/i.test(file)) {
    // GDAL's SQLite driver leaves *.mbtiles to the MBTiles driver, which hides the tile rows; a
    // symbolic link named *.sqlite lets us read the tiles table as it is.
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
    let rows: gdal.Layer;
    try {
      rows = ds.executeSQL('SELECT zoom_level, tile_column, tile_row, hex(tile_data) AS hex FROM tiles WHERE zoom_level = (SELECT max(zoom_level) FROM tiles) ORDER BY tile_column, tile_row', undefined, 'SQLITE');
    } catch (e) {
      throw new InputError('ingest', `${file}: not an MBTiles file (${(e as Error).message.trim()})`);
    }
    tiles = [];
    for (let f = rows.features.next(); f; f = rows.features.next()) {
      const z = f.fields.get('zoom_level') as number;
      const x = f.fields.get('tile_column') as number;
      const tmsY = f.fields.get('tile_row') as number;
      const data = Buffer.from(f.fields.get('hex') as string, 'hex');
      tiles.push({ z, x, y: (1 << z) - 1 - tmsY, read: async () => data });
    }
    ds.close();
  } else if (/\.pmtiles$/i.test(file)) {
    const src = new NodeFileSource(file);
    const pm = new PMTiles(src);
    const h = await pm.getHeader();
    if (h.tileType !== 1) throw new InputError('ingest', `${file}: PMTiles holds tile type ${h.tileType}, not MVT`);
    const z = h.maxZoom;
    const n = 1 << z;
    const tx = (lon: number) => Math.min(n - 1, Math.max(0, Math.floor(((lon + 180) / 360) * n)));
    const ty = (lat: number) => {
      const r = (lat * Math.PI) / 180;
      return Math.min(n - 1, Math.max(0, Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n)));
    };
    tiles = [];
    for (let x = tx(h.minLon); x <= tx(h.maxLon); x++) {
      for (let y = ty(h.maxLat); y <= ty(h.minLat); y++) {
        const r = await pm.getZxy(z, x, y);
        if (r) {
          const data = new Uint8Array(r.data);
          tiles.push({ z, x, y, read: async () => data });
        }
      }
    }
    src.close();
  } else if (fs.statSync(file).isDirectory()) {
    tiles = listFolderTiles(file);
  } else {
    const m = TILE_NAME.exec(path.basename(file)) ?? TILE_PATH.exec(file);
    if (!m) throw new InputError('ingest', `${file}: a single vector tile must be named z-x-y.mvt or lie at z/x/y.mvt`);
    tiles = [fileTile(file, +m[1], +m[2], +m[3])];
  }
  if (tiles.length === 0) throw new InputError('ingest', `${file}: no vector tiles found`);
  const maxZ = Math.max(...tiles.map((t) => t.z));
  return tiles.filter((t) => t.z === maxZ).sort((a, b) => a.x - b.x || a.y - b.y);
}

let vsiCounter = 0;

/** Decode the pieces of `layerName` from one tile through GDAL's MVT driver (clipped to the tile, EPSG:3857). */
export async function readTilePieces(file: string, tile: TileRef, layerName: string, where: string | undefined, ctx: ReadContext): Promise<TilePiece[]> {
  let bytes = await tile.read();
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = zlib.gunzipSync(bytes);
  const vsi = `/vsimem/cityforge-${process.pid}-${vsiCounter++}/${tile.z}/${tile.x}/${tile.y}.pbf`;
  gdal.vsimem.set(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), vsi);
  const label = `${file} tile ${tile.z}/${tile.x}/${tile.y}`;
  const pieces: TilePiece[] = [];
  try {
    let ds: gdal.Dataset;
    try {
      ds = gdal.open(vsi, 'r', ['MVT']);
    } catch (e) {
      throw new InputError('ingest', `${label}: not a Mapbox Vector Tile (${(e as Error).message.trim()})`);
    }
    let layer: gdal.Layer | null = null;
    ds.layers.forEach((l) => {
      if (l.name === layerName) layer = l;
    });
    if (layer) {
      const l = layer as gdal.Layer;
      if (where) l.setAttributeFilter(where);
      for (let f = l.features.next(); f; f = l.features.next()) {
        ctx.tick();
        const tags = f.fields.toObject() as Record<string, TagValue>;
        const why = { reason: '', repaired: false };
        const wkb = validPolygonalWKB(f.getGeometry(), why);
        const detail = `${label} layer ${layerName} feature ${f.fid}`;
        if (!wkb) {
          ctx.skip(why.reason, `${detail}: ${why.reason}`);
          continue;
        }
        if (why.repaired) ctx.warn('geometry:repaired', `${detail}: invalid geometry repaired with MakeValid`);
        pieces.push({ z: tile.z, x: tile.x, y: tile.y, fid: f.fid, tags, wkb });
      }
    }
    ds.close();
  } finally {
    gdal.vsimem.release(vsi);
  }
  return pieces;
}

/** A vector tile source: a `z-x-y.mvt` file, a folder of tiles, an MBTiles or a PMTiles archive. */
class VectorTileSource implements Source {
  readonly inputs: string[];

  constructor(
    readonly label: string,
    private readonly options: SourceOptions,
  ) {
    this.inputs = [label];
  }

  private srs(): { srs: gdal.SpatialReference; crs: string } {
    const srs = this.options.sSrs ? gdal.SpatialReference.fromUserInput(this.options.sSrs) : gdal.SpatialReference.fromEPSG(3857);
    return { srs, crs: crsName(srs) };
  }

  async extent(): Promise<SourceBox[]> {
    const { srs, crs } = this.srs();
    const e = emptyExtent();
    for (const t of await listTiles(this.label)) {
      const [x0, y0, x1, y1] = tileBounds(t.z, t.x, t.y);
      growByPoint(growByPoint(e, x0, y0), x1, y1);
    }
    return isEmptyExtent(e) ? [] : [{ srs, crs, extent: e }];
  }

  /** A tile at a time; only the pieces on edges shared with another tile are held until the end, to be re-joined. */
  async *read(ctx: ReadContext): AsyncGenerator<SourceFeature> {
    const input = this.label;
    const layerName = this.options.layers?.[0] ?? 'building';
    const tiles = await listTiles(input);
    const { srs, crs } = this.srs();
    let read = 0;
    let kept = 0;
    const counting: ReadContext = { ...ctx, tick: () => { read++; ctx.tick(); } };
    const rejoiner = new TileRejoiner(`${path.basename(input)}#${layerName}`, `${input} layer ${layerName}`, new Set(tiles.map((t) => `${t.z}:${t.x}:${t.y}`)), REJOIN_DEFAULTS);
    let nPieces = 0;
    for (const t of tiles) {
      const pieces = await readTilePieces(input, t, layerName, this.options.where, counting);
      nPieces += pieces.length;
      for (const feature of rejoiner.add(pieces)) {
        yield { srs, crs, feature };
        kept++;
      }
      await new Promise((resolve) => setImmediate(resolve)); // gdal-async frees from the event loop
    }
    if (read === 0) throw new InputError('ingest', `${input} layer ${layerName}: no features in ${tiles.length} tile(s)`);
    for (const feature of rejoiner.finish()) {
      yield { srs, crs, feature };
      kept++;
    }
    const report = rejoiner.report;
    this.options.logger.info(`${input}: ${tiles.length} tiles, ${nPieces} pieces (${report.piecesOnEdges} on tile edges) → ${kept} features (${report.groupsJoined} buildings re-joined from ${report.piecesJoined} pieces)`);
  }
}

/** Mapbox Vector Tiles: `z-x-y.mvt`, `z/x/y.pbf`, folders of them, `.mbtiles`, `.pmtiles`. */
export const VECTOR_TILES_FORMAT: SourceFormat = {
  name: 'vector-tiles',
  grouped: false,
  test: isTileSource,
  open: (inputs, options) => new VectorTileSource(inputs[0], options),
};
