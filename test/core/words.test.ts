import { describe, expect, it } from 'vitest';
import { counted } from '../../src/core/words.js';

describe('counted', () => {
  it('one-features: "1 feature", "2 features", formatted numbers and two-word nouns', () => {
    expect(counted(1, 'feature')).toBe('1 feature');
    expect(counted(0, 'feature')).toBe('0 features');
    expect(counted(2, 'tile')).toBe('2 tiles');
    expect(counted('1', 'building')).toBe('1 building');
    expect(counted('13,438', 'feature')).toBe('13,438 features');
    expect(counted('1,001', 'building part')).toBe('1,001 building parts');
    expect(counted(1, 'building part')).toBe('1 building part');
  });
});
