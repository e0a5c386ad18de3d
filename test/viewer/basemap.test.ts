import { describe, expect, it } from 'vitest';
import { styleFor } from '../../src/viewer/basemap.js';

interface RasterStyle { sources: { base: { tiles: string[]; maxzoom: number; attribution: string } } }

describe('base map styles', () => {
  it('a style document\'s URL is used as it is', () => {
    expect(styleFor('https://demotiles.maplibre.org/style.json')).toBe('https://demotiles.maplibre.org/style.json');
  });

  it('template-basemap-lacked-attribution: a tile template carries the credit given, and OpenStreetMap\'s tiles theirs', () => {
    const osm = styleFor('https://tile.openstreetmap.org/{z}/{x}/{y}.png') as unknown as RasterStyle;
    expect(osm.sources.base.attribution).toBe('© OpenStreetMap contributors');
    const other = styleFor('https://tiles.example.org/{z}/{x}/{y}.png', '© Example Maps') as unknown as RasterStyle;
    expect(other.sources.base.attribution).toBe('© Example Maps');
    expect(other.sources.base.tiles).toEqual(['https://tiles.example.org/{z}/{x}/{y}.png']);
  });

  it('template-basemap-asked-for-missing-zooms: tiles are asked for up to zoom 19, enlarged beyond', () => {
    expect((styleFor('https://tile.openstreetmap.org/{z}/{x}/{y}.png') as unknown as RasterStyle).sources.base.maxzoom).toBe(19);
  });
});
