import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA, freshDir } from '../helpers/fixtures.js';
import { expectValidGlb } from '../helpers/glb.js';

const ROOT = path.join(import.meta.dirname, '..', '..');

describe('cityforge as a library: `import … from \'cityforge\'`', () => {
  it('library-had-no-entry: the package exports its pipeline (buildGlb, a line logger, the typed errors), in JavaScript and with types', async () => {
    const dir = freshDir('library');
    const glb = path.join(dir, 'tile.glb');
    // (run from inside the package, as a project that depends on it resolves it: by name, through package.json "exports")
    const script = `
      import fs from 'node:fs';
      import { buildGlb, createLineLogger, InputError } from 'cityforge';
      const lines = [];
      const { glb, summary } = await buildGlb([${JSON.stringify(path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'))}], { logger: createLineLogger('info', (l) => lines.push(l)) });
      fs.writeFileSync(${JSON.stringify(glb)}, glb);
      let caught = null;
      try { await buildGlb(['no-such.geojson']); } catch (e) { caught = e instanceof InputError ? e.message : String(e); }
      console.log(JSON.stringify({ buildings: summary.toJSON().buildings, said: lines.length, caught }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.buildings).toBeGreaterThan(2000);
    expect(out.said).toBeGreaterThan(0);
    expect(out.caught).toMatch(/cityforge ingest: no-such\.geojson: no such file/);
    await expectValidGlb(fs.readFileSync(glb));
    // the types a TypeScript project sees: options checked, results typed (a wrong option name does not compile)
    const ts = path.join(dir, 'use.ts');
    fs.writeFileSync(ts, `import { buildGlb, type BuildOptions, UsageError } from 'cityforge';\nconst o: Partial<BuildOptions> = { compress: true, terrainError: 2 };\nexport const n: Promise<number> = buildGlb(['x'], o).then((r) => r.glb.byteLength);\nexport const u: Error = new UsageError('build', 'x');\n`);
    const bad = path.join(dir, 'bad.ts');
    fs.writeFileSync(bad, `import { buildGlb } from 'cityforge';\nexport const n = buildGlb(['x'], { compres: true });\n`);
    const tsc = (file: string) => spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', file], { cwd: ROOT, encoding: 'utf8' });
    const good = tsc(ts);
    expect(good.status, good.stdout).toBe(0);
    const wrong = tsc(bad);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stdout).toMatch(/'compres' does not exist/);
  });
});
