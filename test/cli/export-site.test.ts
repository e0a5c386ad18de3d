import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { DATA, freshDir } from '../helpers/fixtures.js';

/** Every file under a folder, relative, sorted. */
function files(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).map((f) => f.split(path.sep).join('/')).sort();
}

describe('cityforge view --export', () => {
  const dir = freshDir('export-site');
  const tiles = path.join(dir, 'tiles');
  const glb = path.join(dir, 'city.glb');
  beforeAll(() => {
    const input = path.join(DATA, 'sf-mvt', '15-5238-12666.mvt');
    const t = cli(['tiles', input, '-o', tiles, '-q']);
    expect(t.code, t.stderr).toBe(0);
    const b = cli(['build', input, '-o', glb, '-q']);
    expect(b.code, b.stderr).toBe(0);
  });

  it('export-copied-plan-json: a tileset site holds the tileset and the contents it references, not the run\'s plan or records', () => {
    const site = path.join(dir, 'site-tiles');
    const r = cli(['view', path.join(tiles, 'tileset.json'), '--export', site]);
    expect(r.code, r.stderr).toBe(0);
    const data = files(path.join(site, 'data'));
    const uris: string[] = [];
    const walk = (n: { content?: { uri: string }; children?: unknown[] }) => {
      if (n.content) uris.push(n.content.uri);
      for (const c of n.children ?? []) walk(c as typeof n);
    };
    const json = JSON.parse(fs.readFileSync(path.join(tiles, 'tileset.json'), 'utf8'));
    walk(json.root);
    expect(uris.length).toBeGreaterThan(0);
    // and the find index's buckets, which the viewer's search fetches
    const buckets = (json.asset.extras.cityforge.find.buckets as string[]).map((b) => `find/${b}.json`);
    expect(buckets.length).toBeGreaterThan(0);
    expect(data).toEqual(['tileset.json', ...uris, ...buckets].sort());
    expect(fs.existsSync(path.join(tiles, 'plan.json'))).toBe(true);
  });

  it('export-left-old-data: exporting again into a site replaces it whole', () => {
    const site = path.join(dir, 'site-again');
    expect(cli(['view', path.join(tiles, 'tileset.json'), '--export', site]).code).toBe(0);
    const r = cli(['view', glb, '--export', site]);
    expect(r.code, r.stderr).toBe(0);
    expect(files(path.join(site, 'data'))).toEqual(['city.glb']);
    expect(JSON.parse(fs.readFileSync(path.join(site, 'config.json'), 'utf8')).glb).toBe('data/city.glb');
    // no temporary or old copy is left beside it
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('the base map and its credit go into the site\'s config.json', () => {
    const site = path.join(dir, 'site-basemap');
    const r = cli(['view', glb, '--export', site, '--basemap', 'https://tiles.example.org/{z}/{x}/{y}.png', '--basemap-attribution', '© Example Maps']);
    expect(r.code, r.stderr).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(site, 'config.json'), 'utf8'));
    expect(config.basemap).toBe('https://tiles.example.org/{z}/{x}/{y}.png');
    expect(config.basemapAttribution).toBe('© Example Maps');
  });

  it('a folder of other files is refused (exit 4) and left as it was', () => {
    const other = path.join(dir, 'documents');
    fs.mkdirSync(other, { recursive: true });
    fs.writeFileSync(path.join(other, 'thesis.tex'), 'mine');
    const r = cli(['view', glb, '--export', other]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/documents: the folder holds other files/);
    expect(files(other)).toEqual(['thesis.tex']);
  });
});
