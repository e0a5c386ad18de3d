import fs from 'node:fs';
import path from 'node:path';
import { Growable } from '../core/growable.js';
import { anchorsOf, fileHeader, readRowFile, type RecordRef, type StoredFeatures, type StoreRow } from '../store/index.js';
import { cellOf, leafOf, leavesOf, tileStem, type QuadGrid, type TileNode } from './partition.js';
import { makeDirs } from '../io/files.js';

/**
 * What a tile needs of each of its buildings, one fixed row of float64s each: the building's index,
 * where its record is, its anchor (a part: its outline's), footprint box, heights and whether it stands
 * at its own heights (a city model's: 1, else 0). Each leaf tile
 * has a bucket file of these rows (after the store's file header), in building order; a coarser tile
 * reads its leaves' buckets.
 */
const WIDTH = 12;
const INDEX = 0, OFFSET = 1, LENGTH = 2, AX = 3, AY = 4, X0 = 5, Y0 = 6, X1 = 7, Y1 = 8, HEIGHT = 9, MIN_HEIGHT = 10, STANDS = 11;

/** One building of a bucket, by name: its store row's record, anchor (a part: its outline's), box and heights. */
export type BucketEntry = Omit<StoreRow, 'idHash' | 'isOutline'>;

/** The bucket file of a leaf. */
export function bucketFile(workDir: string, leaf: TileNode): string {
  return path.join(workDir, 'buckets', `${tileStem(leaf)}.bin`);
}

/**
 * Sort the buildings of a store into their leaves' bucket files, in one scan of the row file. Rows
 * are buffered per leaf (typed arrays) and appended when the buffers reach `bufferBytes` in all: memory is bounded
 * whatever the number of buildings.
 */
export function distribute(store: StoredFeatures, root: TileNode, grid: QuadGrid, workDir: string, bufferBytes = 16 << 20): void {
  makeDirs(path.join(workDir, 'buckets'));
  const buffers = new Map<TileNode, Growable<Float64Array>>();
  let buffered = 0;
  const flush = () => {
    for (const [leaf, rows] of buffers) {
      const a = rows.toArray();
      fs.appendFileSync(bucketFile(workDir, leaf), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
    buffers.clear();
    buffered = 0;
  };
  for (const leaf of leavesOf(root)) fs.writeFileSync(bucketFile(workDir, leaf), fileHeader('bucket'));
  anchorsOf(store, (ax, ay, row) => {
    const [ci, cj] = cellOf(grid, ax, ay);
    const leaf = leafOf(root, grid, ci, cj);
    let list = buffers.get(leaf);
    if (!list) buffers.set(leaf, (list = new Growable(Float64Array, 64 * WIDTH)));
    list.reserve(WIDTH);
    list.push3(row.index, row.offset, row.length);
    list.push2(ax, ay);
    list.push2(row.minX, row.minY);
    list.push2(row.maxX, row.maxY);
    list.push2(row.height, row.minHeight);
    list.push(row.stands ? 1 : 0);
    buffered += 8 * WIDTH;
    if (buffered >= bufferBytes) flush();
  });
  flush();
}

/** Visit the buildings of a leaf's bucket, in building order. */
export function scanBucket(workDir: string, leaf: TileNode, visit: (e: BucketEntry) => void): void {
  const r = readRowFile(bucketFile(workDir, leaf), 'bucket', WIDTH);
  for (let k = 0; k < r.length; k += WIDTH)
    visit({
      index: r[k + INDEX], offset: r[k + OFFSET], length: r[k + LENGTH], anchorX: r[k + AX], anchorY: r[k + AY],
      minX: r[k + X0], minY: r[k + Y0], maxX: r[k + X1], maxY: r[k + Y1], height: r[k + HEIGHT], minHeight: r[k + MIN_HEIGHT],
      stands: r[k + STANDS] === 1,
    });
}

/** The record references of a leaf's bucket. */
export function bucketRefs(workDir: string, leaf: TileNode): RecordRef[] {
  const out: RecordRef[] = [];
  scanBucket(workDir, leaf, (e) => out.push({ index: e.index, offset: e.offset, length: e.length }));
  return out;
}
