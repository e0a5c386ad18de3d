/**
 * The streamed feature store: what `cityforge tiles` spills its input into so that memory does not
 * grow with the number of buildings. A writer, a reader with named fields, and versioned binary files.
 *
 * @example
 * ```ts
 * import { StoreWriter, StoreReader, scanStore } from './store/index.js';
 * const w = new StoreWriter(dir, frame);
 * w.add(polygons, params);
 * const store = w.finish();
 * scanStore(store, (row) => console.log(row.index, row.anchorX, row.anchorY));
 * ```
 */
export type { RecordRef, StoredFeatures, StoreRow } from './types.js';
export { StoreWriter, idHash } from './writer.js';
export { StoreReader, scanStore, anchorsOf } from './reader.js';
export type { RowView } from './rows.js';
export { BufferedWriter, checkHeader, fileHeader, FORMAT_VERSION, HEADER_BYTES, MAGIC, readRowFile, scanRowFile, type BinaryKind } from './format.js';
