import type { Extent } from '../core/extent.js';
import type { FrameInfo } from '../core/types.js';

/**
 * The on-disk feature store of a streamed run (`cityforge tiles`): nothing in it is held in memory
 * per building. A plain, cloneable description of its files (worker threads open them themselves):
 * - the **spill file** (`features.bin`): every normalized feature — cleaned polygons in the frame and
 *   its parameters — as one record;
 * - the **row file** (`rows.bin`): one fixed row per building ({@link StoreRow}): where its record
 *   is, its anchor, footprint box, heights, id hash and role.
 * What is held is what grows with the building parts and the duplicate ids only.
 */
export interface StoredFeatures {
  /** The spill file. */
  file: string;
  /** The row file. */
  rowsFile: string;
  frame: FrameInfo;
  /** Number of buildings. */
  count: number;
  /** Box of all footprints. */
  extent: Extent;
  /** Box of all anchors (parts take their outline's). */
  anchorExtent: Extent;
  /** Building parts drawn under an outline: [part, outline, outline anchor x, outline anchor y]. */
  parts: [number, number, number, number][];
  /** Outlines drawn as their parts (not drawn themselves). */
  replaced: number[];
  /**
   * Each replaced outline's tallest part's height: [outline, height, 1 when a part has a height of its own,
   * 0 when all are of the default height (absent: 1)] (see `tallestPart`). Absent: none.
   */
  partHeights?: ([number, number] | [number, number, number])[];
  /**
   * Outlines drawn as the rest of them their parts leave (see `outlineRest`), each with that rest's polygons
   * (rings open, as a batch holds them). Absent: none.
   */
  rests?: [number, { coords: number[]; ringOffsets: number[]; polygonOffsets: number[] }][];
  /** Ids changed to keep them unique (`id~2`, …): [building, new id]. */
  renames: [number, string][];
}

/** Where a building's record is: its index and the record's offset and length in the spill file. */
export interface RecordRef {
  index: number;
  offset: number;
  length: number;
}

/** One building's row of the row file, by name. */
export interface StoreRow extends RecordRef {
  /** A point of the footprint's first ring (the centre of its box): where the building belongs in a tile tree. */
  anchorX: number;
  anchorY: number;
  /** Footprint box. */
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  /** Apex and bottom heights above the base (metres; a city model's building, whose `base` is set: its highest and lowest frame z). */
  height: number;
  minHeight: number;
  /** A 53-bit hash of the id (for finding duplicate ids without holding them). */
  idHash: number;
  /** Whether it is a whole building or an outline (not a `building:part`). */
  isOutline: boolean;
  /** Whether it stands at its own heights (a city model's surfaces, `base` set): not seated on a DEM. */
  stands: boolean;
}
