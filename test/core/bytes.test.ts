import { describe, expect, it } from 'vitest';
import { copyDoublesLE } from '../../src/core/bytes.js';

describe('copyDoublesLE', () => {
  it('unaligned-doubles: little-endian doubles at any byte offset land in the target slots as DataView reads them', () => {
    const values = [0, -0.5, 1e-300, 123456.789, -9.87654321e21, Math.PI];
    for (const at of [0, 1, 3, 7, 8, 13]) {
      const bytes = new Uint8Array(at + 8 * values.length + 5).fill(0xab);
      const view = new DataView(bytes.buffer);
      values.forEach((v, i) => view.setFloat64(at + 8 * i, v, true));
      const out = new Float64Array(values.length + 3).fill(7);
      copyDoublesLE(bytes.subarray(0), at, values.length, out, 2);
      expect(Array.from(out), `offset ${at}`).toEqual([7, 7, ...values, 7]);
      // from a view that does not start at its buffer's start
      const shifted = bytes.subarray(1);
      const again = new Float64Array(values.length);
      if (at >= 1) {
        copyDoublesLE(shifted, at - 1, values.length, again, 0);
        expect(Array.from(again)).toEqual(values);
      }
    }
  });
});
