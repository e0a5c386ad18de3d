import { describe, expect, it } from 'vitest';
import { fittedSigmas, heightOrigin, linkOf, tooltipText } from '../../src/viewer/panel.js';

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

describe('the tooltip', () => {
  it('tooltip-default-height-unsaid: a default height says it is one; a measured one, its value alone', () => {
    const table = { id: ['r1', 'w2', 'w3'], name: ['Hôtel de Paris', null, ''], ref: [null, 'B-12', null], height: [10, 12.25, 7], height_from: ['default', 'data', 'levels'] };
    expect(tooltipText(table, 0)).toBe('Hôtel de Paris · 10 m (default)');
    expect(tooltipText(table, 1)).toBe('B-12 · 12.3 m');
    expect(tooltipText(table, 2)).toBe('w3 · 7 m');
  });
});

describe('fitted parameters in the panel', () => {
  it('sigma-on-a-default: a height replaced by the default (an edited row whose height build could not read) shows no fitted σ; a fitted one does', () => {
    const table = { id: ['a', 'b', 'c'], height: [12.3, 10, 9], height_from: ['data', 'default', 'levels'], roof_height: [3, 3, 3], 'fit:sigma_height': [0.04, 0.18, 0.2], 'fit:sigma_roof_height': [0.1, 0.1, 0.1], 'fit:sigma_eave': [0.05, 0.05, 0.05], 'fit:eave': [9.3, 7, 6] };
    expect([...fittedSigmas(table, 0)].sort()).toEqual([['fit_eave', 0.05], ['height', 0.04], ['roof_height', 0.1]]);
    expect(fittedSigmas(table, 1).has('height')).toBe(false);
    expect(fittedSigmas(table, 1).get('roof_height')).toBe(0.1);
    expect(fittedSigmas(table, 2).has('height')).toBe(false);
  });

  it('default-said-not-in-the-data-over-a-zero: a default height where the data gave one it could not use (SF: a height of 0) says so, not "not in the data"', () => {
    const table = { height_from: ['default', 'default', 'levels', 'data'], source_height: [0, -Number.MAX_VALUE, -Number.MAX_VALUE, -Number.MAX_VALUE] };
    expect(heightOrigin(table, 0)).toMatch(/title="The data's height \(0\) cannot be used[^"]*">default, the data's unusable</);
    expect(heightOrigin(table, 1)).toMatch(/>default, none usable in the data</);
    expect(heightOrigin(table, 2)).toMatch(/>from levels</);
    expect(heightOrigin(table, 3)).toBe('');
    expect(heightOrigin({ height_from: ['default'] }, 0)).toMatch(/>default, none usable in the data</);
  });
});
