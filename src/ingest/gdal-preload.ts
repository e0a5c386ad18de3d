/**
 * Loaded before gdal-async (src/ingest/gdal.ts imports it first; the CLI bundle keeps it a file of its
 * own so that the order holds): two of gdal-async's start-up requires are made cheap. Its
 * `@mapbox/node-pre-gyp` (46 files of semver and more, about 45 ms) only finds the native binding's
 * path, which is computed here from gdal-async's own `binary.module_path`; its VRT helper's
 * `xmlbuilder2` (about 150 files, 80–110 ms) is loaded when that helper first runs, not at start-up.
 * Every process of the CLI that reads data loads GDAL (bench/RESULTS.md, issue 16). Where anything is
 * not as expected (another layout, no binding there, another Node), the real modules are loaded.
 */
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';

type Load = (this: unknown, request: string, parent: { filename?: string } | null | undefined, isMain: boolean) => unknown;

const loader = Module as unknown as { _load?: Load };
const original = loader._load;

/** gdal-async's folder, or null when it cannot be found. */
function gdalFolder(): string | null {
  try {
    return path.dirname(createRequire(import.meta.url).resolve('gdal-async/package.json'));
  } catch {
    return null;
  }
}

/** The native binding node-pre-gyp would find, or null when it is not where gdal-async's package.json says. */
function bindingPath(dir: string): string | null {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { binary?: { module_path?: string; module_name?: string } };
    const { module_path: where, module_name: name } = pkg.binary ?? {};
    if (!where || !name) return null;
    const folder = where.replace('{node_abi}', `node-v${process.versions.modules}`).replace('{platform}', process.platform).replace('{arch}', process.arch);
    if (/[{}]/.test(folder)) return null;
    const file = path.resolve(dir, folder, `${name}.node`);
    return fs.existsSync(file) ? file : null;
  } catch {
    return null;
  }
}

const dir = typeof original === 'function' ? gdalFolder() : null;
if (dir && typeof original === 'function') {
  const load = original;
  loader._load = function (this: unknown, request, parent, isMain) {
    if (parent?.filename?.startsWith(dir + path.sep)) {
      if (request === '@mapbox/node-pre-gyp') {
        const real = () => load.call(this, request, parent, isMain) as { find(pkg: string): string };
        return { find: (pkg: string) => (path.resolve(pkg) === path.join(dir, 'package.json') && bindingPath(dir)) || real().find(pkg) };
      }
      if (request === 'xmlbuilder2') {
        let real: Record<string, (...args: unknown[]) => unknown> | undefined;
        const get = () => (real ??= load.call(this, request, parent, isMain) as Record<string, (...args: unknown[]) => unknown>);
        // each export as a function that loads the module when first called (gdal-async destructures them at load)
        return new Proxy({}, { get: (_, key) => (typeof key === 'string' && key !== '__esModule' && key !== 'then' ? (...args: unknown[]) => get()[key](...args) : undefined) });
      }
    }
    return load.call(this, request, parent, isMain);
  };
}

export {};
