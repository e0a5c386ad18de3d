import { describe, expect, it } from 'vitest';
import { inferRoof, sampleFootprint, segmentLevels } from '../../src/inverse/index.js';
import { rect, synthDsm } from '../helpers/inverse.js';

describe('segmentLevels: roofs at clearly different levels become parts', () => {
  it('a gabled main house with a flat annex: two levels, each fitted as itself', () => {
    // the annex is its own building in the synthetic model; the footprint inferred is their union
    const { dsm } = synthDsm([
      { rings: rect(16, 10, 0, 0, 0), height: 12, roof: { shape: 'gabled', height: 4 } },
      { rings: rect(8, 10, 0, 12, 0), height: 4, roof: { shape: 'flat' } },
    ]);
    const { footprints } = synthDsm([{ rings: rect(24, 10, 0, 4, 0), height: 1, roof: {} }]);
    const fp = footprints[0];
    const s = sampleFootprint(fp, dsm, 0);
    const seg = segmentLevels(s);
    expect(seg?.count).toBe(2);
    // the levels: every cell of the annex (x > 8.5) one, every cell of the house (x < 7.5) the other
    const labelsOf = (keep: (x: number) => boolean) => {
      const out = new Set<number>();
      for (let j = 0; j < s.h; j++)
        for (let i = 0; i < s.w; i++) {
          const l = seg!.labels[j * s.w + i];
          if (l >= 0 && keep(s.x0 + (i + 0.5) * s.cell)) out.add(l);
        }
      return [...out];
    };
    const east = labelsOf((x) => x > 8.5), west = labelsOf((x) => x < 7.5);
    expect(east).toHaveLength(1);
    expect(west).toHaveLength(1);
    expect(east[0]).not.toBe(west[0]);
  });

  it('one roof with a chimney, a dormer and gaps in the data: one level (null)', () => {
    const { dsm, footprints } = synthDsm([{ rings: rect(16, 10, 10), height: 12, roof: { shape: 'hipped', height: 4 } }], { noise: 0.1, dropout: 0.1 });
    const s = sampleFootprint(footprints[0], dsm, 0);
    expect(segmentLevels(s)).toBeNull();
    const r = inferRoof(footprints[0], s);
    expect('shape' in r && r.shape).toBe('hipped');
  });
});
