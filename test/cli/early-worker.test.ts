import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { WORKER_COMMANDS } from '../../src/cli/early.js';
import { cli } from '../helpers/cli.js';

/** A one-building GeoJSON in a fresh folder. */
function oneBuilding(): { dir: string; input: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityforge-early-'));
  const input = path.join(dir, 'one.geojson');
  const ring = [[-122.4, 37.8], [-122.3999, 37.8], [-122.3999, 37.8001], [-122.4, 37.8001], [-122.4, 37.8]];
  fs.writeFileSync(input, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { height: 9 }, geometry: { type: 'Polygon', coordinates: [ring] } }] }));
  return { dir, input };
}

describe('the job worker started before the command line is parsed (bin/cityforge.js, src/cli/early.ts)', () => {
  it('names exactly the commands that run in the job worker, each with a pipeline to preload', () => {
    expect([...WORKER_COMMANDS].sort()).toEqual(COMMANDS.filter((c) => c.inWorker).map((c) => c.name).sort());
    for (const c of COMMANDS.filter((s) => s.inWorker)) expect(typeof c.preload, c.name).toBe('function');
  });

  it('a command run in it gets its job: same output as ever, exit 0', () => {
    const { dir, input } = oneBuilding();
    const r = cli(['build', input, '-o', path.join(dir, 'one.glb'), '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(fs.statSync(path.join(dir, 'one.glb')).size).toBeGreaterThan(1000);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('help, a usage error and a bad input end as before, without the worker holding the process', () => {
    const { dir, input } = oneBuilding();
    const help = cli(['build', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: cityforge build');
    const usage = cli(['build', input, '-o', path.join(dir, 'x.glb'), '--no-such-option']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('unknown option');
    const missing = cli(['build', path.join(dir, 'missing.geojson'), '-o', path.join(dir, 'x.glb')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('missing.geojson');
    expect(fs.readdirSync(dir)).toEqual(['one.geojson']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
