import { describe, expect, it } from 'vitest';
import { findBucket, findKey, findKeyWithAccents } from '../../src/core/find.js';

describe('find keys (a tileset\'s find index, the viewer\'s find box)', () => {
  it('find-needed-the-accents: a name is found without its accents, in any case, trimmed; ids as they are', () => {
    expect(findKey('  Hôtel de PARIS ')).toBe('hotel de paris');
    expect(findKey('hotel de paris')).toBe(findKey('Hôtel de Paris'));
    expect(findKey('Tour Odéon')).toBe('tour odeon');
    // composed and decomposed forms alike
    expect(findKey('Caf\u00e9')).toBe(findKey('Cafe\u0301'));
    expect(findKey('W94399444')).toBe('w94399444');
    // the keys of indexes written before: accents kept (the viewer tries that key second)
    expect(findKeyWithAccents(' Hôtel ')).toBe('hôtel');
    expect(findBucket(findKey('Hôtel de Paris'))).toBe(findBucket('hotel de paris'));
    expect(findBucket('x')).toMatch(/^[0-9a-f]{2}$/);
  });
});
