/** Whether this platform stores numbers little-endian (as WKB, FlatGeobuf and cityforge's store do). */
export const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Copy `n` little-endian doubles from `src[at…]` (any alignment) into `dst[dstAt…]`: one byte copy
 * where the platform is little-endian, a value at a time where it is not.
 *
 * @example
 * ```ts
 * const xy = new Float64Array(2 * points);
 * copyDoublesLE(bytes, offset, 2 * points, xy, 0);
 * ```
 */
export function copyDoublesLE(src: Uint8Array, at: number, n: number, dst: Float64Array, dstAt: number): void {
  if (LITTLE_ENDIAN) {
    new Uint8Array(dst.buffer, dst.byteOffset + 8 * dstAt, 8 * n).set(src.subarray(at, at + 8 * n));
    return;
  }
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let i = 0; i < n; i++) dst[dstAt + i] = view.getFloat64(at + 8 * i, true);
}
