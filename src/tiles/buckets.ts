import fs from 'node:fs';
import path from 'node:path';
import { R_HEIGHT, R_LENGTH, R_MIN_HEIGHT, R_OFFSET, R_X0, R_X1, R_Y0, R_Y1, type RecordRef, type StoredFeatures } from '../ingest/store.js';
import { anchorsOf } from '../ingest/store.js';
import { Growable } from '../core/growable.js';
import { cellOf, leafOf, leavesOf, tileStem, type QuadGrid, type TileNode } from './partition.js';

/**
 * Float64 columns of a bucket row: what a tile needs of each of its buildings — the building's index,
 * where its record is, its anchor (a part: its outline's), footprint box and heights. Each leaf tile
 * has a bucket file of these rows, in building order; a coarser tile reads its leaves' buckets.
 */
export const BUCKET_ROW = 11;
export const B_INDEX = 0, B_OFFSET = 1, B_LENGTH = 2, B_AX = 3, B_AY = 4, B_X0 = 5, B_Y0 = 6, B_X1 = 7, B_Y1 = 8, B_HEIGHT = 9, B_MIN_HEIGHT = 10;

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
  fs.mkdirSync(path.join(workDir, 'buckets'), { recursive: true });
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
  for (const leaf of leavesOf(root)) fs.writeFileSync(bucketFile(workDir, leaf), new Uint8Array(0));
  anchorsOf(store, (ax, ay, i, r, k) => {
    const [ci, cj] = cellOf(grid, ax, ay);
    const leaf = leafOf(root, grid, ci, cj);
    let list = buffers.get(leaf);
    if (!list) buffers.set(leaf, (list = new Growable(Float64Array, 64 * BUCKET_ROW)));
    list.reserve(BUCKET_ROW);
    list.push3(i, r[k + R_OFFSET], r[k + R_LENGTH]);
    list.push2(ax, ay);
    list.push2(r[k + R_X0], r[k + R_Y0]);
    list.push2(r[k + R_X1], r[k + R_Y1]);
    list.push2(r[k + R_HEIGHT], r[k + R_MIN_HEIGHT]);
    buffered += 8 * BUCKET_ROW;
    if (buffered >= bufferBytes) flush();
  });
  flush();
}


/** The rows of a leaf's bucket. */
export function readBucket(workDir: string, leaf: TileNode): Float64Array {
  const b = fs.readFileSync(bucketFile(workDir, leaf));
  if (b.byteOffset % 8 === 0) return new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
  return new Float64Array(new Uint8Array(b).buffer);
}

/** The record references of bucket rows. */
export function refsOf(rows: Float64Array): RecordRef[] {
  const out: RecordRef[] = [];
  for (let k = 0; k < rows.length; k += BUCKET_ROW) out.push({ index: rows[k + B_INDEX], offset: rows[k + B_OFFSET], length: rows[k + B_LENGTH] });
  return out;
}
