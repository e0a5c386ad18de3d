import gdal from './gdal.js';
import path from 'node:path';
import zlib from 'node:zlib';
import { osmIdOf, OTHER_TAGS_CUT, unpackOtherTags, type ReadContext } from './raw.js';
import type { TagValue } from './tags.js';
import { checkedWKB, crsName, fieldValues, overrideSrs } from './ogr.js';
import { tileBounds } from './webmercator.js';
import { isTileInput, pyramid, storedTileBytes, type TileRef } from './tileset.js';

export { listTiles, type TileList, type TileRef } from './tileset.js';

export { tileBounds } from './webmercator.js';
import { InputError } from '../core/errors.js';
import { counted } from '../core/words.js';
import { filteredLayer, hasBuildingKeys, hasOsmKeys, isBuildingFeature } from './where.js';
import { emptyExtent, growByPoint, isEmptyExtent } from '../core/extent.js';
import { REJOIN_DEFAULTS, TileRejoiner } from './rejoin.js';
import type { Source, SourceBox, SourceFeature, SourceFormat, SourceOptions } from './source.js';

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
  /** The layer is OSM data (fields only OSM data has: an ogr2ogr export of OSM, OSM-QA tiles). */
  osm: boolean;
  /** The feature's own id where its tile carries one that is more than a tile's numbering (an OSM id: `w123`, `r45`). */
  id?: string;
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

/** The bytes of a tile, decompressed (gzip), within `maxBytes`; an {@link InputError} naming it otherwise. */
export async function tileBytes(tile: TileRef, label: string, maxBytes: number): Promise<Uint8Array> {
  let bytes = await storedTileBytes(tile, label, maxBytes, 'a vector tile', '--max-tile-mb');
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

let vsiCounter = 0;

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
  const fields = layer.fields.getNames();
  // (osm-tiles-lost-their-heights: OSM data exported to vector tiles by ogr2ogr keeps its tags in
  // other_tags and its ids in osm_id / osm_way_id, as every other export of it does)
  const osmTags = hasBuildingKeys(fields);
  const osm = hasOsmKeys(fields);
  const buildingsOnly = !where && osmTags;
  const source = `${path.basename(tile.input)}#${name}`;
  const at = `${tile.input} layer ${name}`;
  for (let f = l.features.next(); f; f = l.features.next()) {
    ctx.tick();
    const tags = fieldValues(f);
    const cut = (osmTags || osm) && unpackOtherTags(tags);
    const id = osm ? (osmIdOf(tags) ?? undefined) : undefined;
    const detail = `${at} feature ${id ?? `${tile.z}/${tile.x}/${tile.y}#${f.fid}`}`;
    if (cut) ctx.warn(OTHER_TAGS_CUT[0], `${detail}: ${OTHER_TAGS_CUT[1]}`);
    if (buildingsOnly && !isBuildingFeature(tags)) {
      ctx.skip('not-a-building', `${detail}: neither building nor building:part (a layer of every OSM tag; --where selects others)`);
      continue;
    }
    // (the rings dropped before GEOS and the repairs counted, as for every other source)
    const wkb = checkedWKB(() => f.getGeometry(), ctx, detail);
    if (!wkb) continue;
    out.push({ z: tile.z, x: tile.x, y: tile.y, fid: f.fid, layer: name, source, where: at, osm, ...(id ? { id } : {}), tags, wkb });
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
    const srs = this.options.sSrs ? overrideSrs(this.options.sSrs) : gdal.SpatialReference.fromEPSG(3857);
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
    this.options.logger.info(`${this.label}: ${counted(list.tiles.length, 'tile')}${list.dropped ? ` (${list.dropped} more at other zooms or given twice, not read)` : ''}, ${nPieces} pieces (${r.onEdges} on tile edges) → ${kept} features (${r.groups} buildings re-joined from ${r.joined} pieces)`);
  }
}

/** Mapbox Vector Tiles: `z-x-y.mvt`, `z/x/y.pbf`, folders of them, `.mbtiles`, `.pmtiles` — all of a run's as one pyramid. */
export const VECTOR_TILES_FORMAT: SourceFormat = {
  name: 'vector-tiles',
  grouped: true,
  test: (file: string) => isTileInput(file, 'vector'),
  open: (inputs, options) => new VectorTileSource(inputs, options),
};
