import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NULL_LOGGER } from '../../src/core/logger.js';
import { Summary } from '../../src/core/summary.js';
import { ingest, summaryContext } from '../../src/ingest/index.js';
import { listTiles, readTilePieces } from '../../src/ingest/mvt.js';
import { TileRejoiner } from '../../src/ingest/rejoin.js';
import { scanStore, StoreReader, type RecordRef } from '../../src/store/index.js';
import { ingestToStore } from '../../src/ingest/stream.js';
import { DATA, freshDir, sfTileGeoJSON, translate } from '../helpers/fixtures.js';

/** The streamed ingest read back whole must equal the in-memory one (same origin). */
async function compare(inputs: string[], name: string) {
  const dir = freshDir(`stream-${name}`);
  const s1 = new Summary();
  const memory = await ingest(inputs, {}, NULL_LOGGER, s1);
  const origin: [number, number] = [memory.frame.lon, memory.frame.lat];
  const s2 = new Summary();
  const store = await ingestToStore(inputs, { origin, workDir: dir }, NULL_LOGGER, s2);
  const reader = new StoreReader(store);
  const refs: RecordRef[] = [];
  const heights: number[] = [];
  scanStore(store, (row) => {
    refs.push({ index: row.index, offset: row.offset, length: row.length });
    heights.push(row.height);
  });
  const streamed = reader.batch(refs);
  const drawAs = refs.map((r) => reader.drawAs(r.index));
  reader.close();
  expect(store.count).toBe(memory.params.length);
  expect(streamed.frame).toEqual(memory.frame);
  expect(streamed.positions).toEqual(memory.positions);
  expect(streamed.ringOffsets).toEqual(memory.ringOffsets);
  expect(streamed.polygonOffsets).toEqual(memory.polygonOffsets);
  expect(streamed.featureOffsets).toEqual(memory.featureOffsets);
  expect(streamed.params).toEqual(memory.params);
  // the same counts: read, skipped by reason, warnings by kind
  const j1 = s1.toJSON(), j2 = s2.toJSON();
  expect([j2.featuresRead, j2.skipped, j2.warnings]).toEqual([j1.featuresRead, j1.skipped, j1.warnings]);
  // index agrees with the geometry (of what is drawn: an outline drawn as its parts keeps its own height in
  // the index, and takes its tallest part's as it is read: outline-height-was-the-default)
  expect(heights.filter((_, i) => memory.params[i].drawAs !== -1)).toEqual(memory.params.filter((p) => p.drawAs !== -1).map((p) => p.height));
  expect(drawAs).toEqual(memory.params.map((p) => p.drawAs));
  return { store, memory, summary: s2 };
}

describe('streamed ingest (cityforge tiles): an on-disk store equal to the in-memory batch', () => {
  it('SF vector tiles (re-joined pieces)', async () => {
    const { store } = await compare([path.join(DATA, 'sf-mvt')], 'sf');
    expect(store.count).toBeGreaterThan(13000);
    expect(fs.statSync(store.rowsFile).size).toBe(16 + 8 * 12 * store.count);
  });

  it('Monaco OSM PBF (building parts drawn under their outlines, duplicate ids)', async () => {
    const { store, memory, summary } = await compare([path.join(DATA, 'monaco.osm.pbf')], 'monaco');
    const parts = memory.params.filter((p) => p.role === 'part' && p.partOf).length;
    expect(parts).toBeGreaterThan(10);
    expect(summary.warnings.get('building:outline-drawn-as-parts')).toBeGreaterThan(0);
    expect(store.replaced.length).toBe((summary.warnings.get('building:outline-drawn-as-parts') ?? 0) + (summary.warnings.get('building:outline-partly-drawn') ?? 0));
    expect(store.parts.length).toBe(parts);
    // outline-height-was-the-default: an outline with no height of its own takes its tallest part's, in memory
    // as streamed (compare: the same params)
    const palace = memory.params.find((p) => p.id === 'w872981834')!;
    expect([palace.height, palace.heightFrom, palace.drawAs]).toEqual([105, 'parts', -1]);
    // parts-cover-9-percent: an outline its parts cover under 90 % of is drawn as the rest of it, with its own
    // tags (w49209445's parts over a passage cover 37 % of it: the rest stands at its own, default, height)
    expect(store.rests?.length).toBe(summary.warnings.get('building:outline-rest-drawn'));
    const passage = memory.params.findIndex((p) => p.id === 'w49209445');
    expect([memory.params[passage].height, memory.params[passage].heightFrom, memory.params[passage].drawAs]).toEqual([10, 'default', passage]);
    expect(store.rests?.map(([o]) => o)).toContain(passage);
    const replacedDefault = memory.params.filter((p) => p.drawAs === -1 && p.heightFrom === 'default' && memory.params.some((q) => q.partOf === p.id && q.height > p.height));
    expect(replacedDefault).toEqual([]);
    for (const o of memory.params.filter((p) => p.drawAs === -1 && p.base === undefined && p.heightFrom !== 'data' && p.heightFrom !== 'levels')) {
      const parts = memory.params.filter((p) => p.partOf === o.id);
      expect(o.height, o.id).toBe(Math.max(...parts.map((p) => p.height)));
      // (from its parts when one of them has a height of its own; else still the default, as tall as they are drawn)
      expect(o.heightFrom, o.id).toBe(parts.some((p) => p.heightFrom !== 'default') ? 'parts' : 'default');
    }
    expect(memory.params.filter((p) => p.drawAs === -1 && p.base === undefined).length).toBeGreaterThan(0);
  });

  it('a copy of the same file: every id of the second copy made unique as in memory', async () => {
    // (the same path twice is read once: input-given-twice-built-twice)
    const one = sfTileGeoJSON(freshDir('stream-dup-src'));
    const copy = path.join(path.dirname(one), 'copy-' + path.basename(one));
    fs.copyFileSync(one, copy);
    const { store, summary } = await compare([one, copy], 'dup');
    expect(store.renames.length).toBe(store.count / 2);
    expect(summary.warnings.get('id:duplicate')).toBe(store.count / 2);
  });

  it('inputs in several CRSs: streamed and in-memory agree (input order, which copy of an id is renamed, the frame’s CRSs)', async () => {
    const src = freshDir('stream-crs-src');
    const one = sfTileGeoJSON(src); // EPSG:4326
    const utm = translate(one, path.join(src, 'utm.gpkg'), ['-f', 'GPKG', '-t_srs', 'EPSG:32610']);
    const { store, memory } = await compare([one, utm], 'crs');
    expect(memory.frame.sourceCrs).toEqual(['EPSG:32610', 'EPSG:4326']);
    // input order (not grouped by CRS): the 4326 file first, the UTM copy second, with its ids renamed
    const half = store.count / 2;
    expect(memory.params.slice(0, half).every((p) => p.source.startsWith('sf-tile.geojson'))).toBe(true);
    expect(memory.params.slice(half).every((p) => p.source.startsWith('utm.gpkg'))).toBe(true);
    expect(memory.params.findIndex((p) => p.id.includes('~'))).toBeGreaterThanOrEqual(half);
  });

  it('default origin from the inputs’ extents (no second read): near the data', async () => {
    const dir = freshDir('stream-origin');
    const store = await ingestToStore([path.join(DATA, 'sf-mvt')], { workDir: dir }, NULL_LOGGER, new Summary());
    const e = store.anchorExtent;
    expect(Math.abs((e.minX + e.maxX) / 2)).toBeLessThan(2000);
    expect(Math.abs((e.minY + e.maxY) / 2)).toBeLessThan(2000);
  });
});

describe('vector tiles stream through the re-joiner', () => {
  it('only pieces on edges shared with another tile are held; the rest come out tile by tile (SF: 537 of 13,438)', async () => {
    const input = path.join(DATA, 'sf-mvt');
    const { tiles, close } = await listTiles(input);
    const summary = new Summary();
    const ctx = summaryContext(summary, NULL_LOGGER);
    const rejoiner = new TileRejoiner(new Set(tiles.map((t) => `${t.z}:${t.x}:${t.y}`)));
    let pieces = 0, early = 0, maxHeld = 0;
    for (const t of tiles) {
      const p = (await readTilePieces(t, ['building'], undefined, ctx)).pieces;
      pieces += p.length;
      early += rejoiner.add(p).length;
      maxHeld = Math.max(maxHeld, rejoiner.holding);
    }
    close();
    const late = rejoiner.finish();
    expect(pieces).toBe(13438);
    expect(maxHeld).toBe(rejoiner.report.piecesOnEdges);
    expect(maxHeld).toBeLessThan(pieces * 0.05);
    expect(early).toBe(pieces - maxHeld);
    expect(early + late.length).toBe(13155); // the re-joined count the e2e test checks against SpatiaLite
    expect(rejoiner.report.groupsJoined).toBe(254);
  });
});
