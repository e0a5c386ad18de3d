import { describe, expect, it } from 'vitest';
import { linkOf } from '../../src/viewer/panel.js';

describe('attribute links in the panel', () => {
  it('wikipedia-not-linked: an OSM wikipedia tag (lang:Title) links to that language\'s article', () => {
    expect(linkOf('wikipedia', 'fr:Hôtel de Paris', 'monaco.osm.pbf')).toBe('https://fr.wikipedia.org/wiki/H%C3%B4tel_de_Paris');
    expect(linkOf('wikipedia', 'en:Casino de Monte-Carlo', '')).toBe('https://en.wikipedia.org/wiki/Casino_de_Monte-Carlo');
    // not of that form: no link
    expect(linkOf('wikipedia', 'Hôtel de Paris', '')).toBeNull();
  });

  it('OSM ids from OSM sources, Wikidata items and web addresses, nothing else', () => {
    expect(linkOf('id', 'r8280869', 'monaco.osm.pbf#multipolygons')).toBe('https://www.openstreetmap.org/relation/8280869');
    expect(linkOf('id', 'r8280869', 'city.geojson')).toBeNull();
    expect(linkOf('wikidata', 'Q1279896', '')).toBe('https://www.wikidata.org/wiki/Q1279896');
    expect(linkOf('website', 'https://example.org/', '')).toBe('https://example.org/');
    expect(linkOf('website', 'javascript:alert(1)', '')).toBeNull();
  });
});
