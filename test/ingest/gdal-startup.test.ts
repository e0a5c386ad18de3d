import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(import.meta.dirname, '..', '..');

/**
 * gdal-async's start-up loaded @mapbox/node-pre-gyp (to find its binding) and xmlbuilder2 (for its VRT
 * helper) in every process that reads data: about 0.13 s of a one-building `build`. The preload
 * (src/ingest/gdal-preload.ts) computes the binding's path and defers xmlbuilder2 to its first use.
 * Run as its own process on the compiled module, as the CLI loads it (Node's module cache is per process).
 */
describe('gdal-async start-up', () => {
  it('gdal-startup-loaded-node-pre-gyp-and-xmlbuilder2: GDAL loads without them, and the VRT helper still works when called', () => {
    const gdalModule = pathToFileURL(path.join(ROOT, 'dist', 'ingest', 'gdal.js')).href;
    const tif = path.join(ROOT, 'data', 'sf-terrain-3857.tif');
    const script = `
      const { default: gdal } = await import(${JSON.stringify(gdalModule)});
      const { createRequire } = await import('node:module');
      const require = createRequire(${JSON.stringify(gdalModule)});
      const loaded = () => Object.keys(require.cache).filter((k) => /[\\\\/](xmlbuilder2|node-pre-gyp)[\\\\/]/.test(k)).length;
      const before = loaded();
      const ds = gdal.open(${JSON.stringify(tif)});
      const vrt = gdal.wrapVRT({ bands: [{ sources: [ds.bands.get(1)] }] });
      console.log(JSON.stringify({ before, after: loaded(), vrt: vrt.slice(0, 11), size: ds.rasterSize.x }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { before: number; after: number; vrt: string; size: number };
    expect(out.before).toBe(0);
    expect(out.vrt).toBe('<VRTDataset');
    expect(out.after).toBeGreaterThan(0);
    expect(out.size).toBeGreaterThan(0);
  });
});
