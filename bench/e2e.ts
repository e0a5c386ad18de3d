/**
 * End to end, as processes (issue 16): `cityforge build` against the three.js baseline a developer would
 * write (bench/baseline-e2e.mjs) on the SF footprints as GeoJSONSeq (13,438 features, made from data/sf-mvt
 * with ogr2ogr), and cityforge alone on FlatGeobuf and the MVT folder; the start-up apart: `cityforge --help`
 * (the command line alone) and a one-building `build` (what every process of a job pays: the job worker,
 * its pipeline, GDAL). Runs alternate; medians of `runs`. Issue 16's goal: cityforge ≤ 0.5 of the baseline.
 * `npm run build && node --import tsx bench/e2e.ts [runs]` (the CLI as bin/cityforge.js runs it: dist/run)
 */
import { spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const runs = Number(process.argv[2] ?? 5);
const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.join(here, '..');
const cli = path.join(root, 'bin', 'cityforge.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cityforge-e2e-'));
try {
  const seq = path.join(tmp, 'sf.geojsons');
  const fgb = path.join(tmp, 'sf.fgb');
  for (const f of fs.readdirSync(path.join(root, 'data', 'sf-mvt')).filter((f) => f.endsWith('.mvt')).sort()) {
    const [z, x, y] = path.basename(f, '.mvt').split('-');
    const src = path.join(root, 'data', 'sf-mvt', f);
    execFileSync('ogr2ogr', ['-f', 'GeoJSONSeq', '-append', '-t_srs', 'EPSG:4326', '-oo', `X=${x}`, '-oo', `Y=${y}`, '-oo', `Z=${z}`, seq, src, 'building']);
  }
  execFileSync('ogr2ogr', ['-f', 'FlatGeobuf', '-nln', 'building', fgb, seq]);
  const one = path.join(tmp, 'one.geojson');
  const ring = [[-122.4, 37.79], [-122.3999, 37.79], [-122.3999, 37.7901], [-122.4, 37.79]];
  fs.writeFileSync(one, JSON.stringify({ type: 'Feature', properties: { height: 10 }, geometry: { type: 'Polygon', coordinates: [ring] } }));
  const features = fs.readFileSync(seq, 'utf8').split('\n').filter((l) => l.trim()).length;
  const time = (args: string[]) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
    return (performance.now() - t0) / 1000;
  };
  const cases: Record<string, string[]> = {
    'baseline (three.js) GeoJSONSeq': [path.join(here, 'baseline-e2e.mjs'), seq, path.join(tmp, 'baseline.glb')],
    'cityforge build GeoJSONSeq': [cli, 'build', seq, '-o', path.join(tmp, 'seq.glb'), '-q'],
    'cityforge build FlatGeobuf': [cli, 'build', fgb, '-o', path.join(tmp, 'fgb.glb'), '-q'],
    'cityforge build MVT folder': [cli, 'build', path.join(root, 'data', 'sf-mvt'), '-o', path.join(tmp, 'mvt.glb'), '-q'],
    'cityforge --help (start-up)': [cli, '--help'],
    'cityforge build, one building': [cli, 'build', one, '-o', path.join(tmp, 'one.glb'), '-q'],
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (const args of Object.values(cases)) time(args); // warm the file cache
  for (let i = 0; i < runs; i++) for (const [k, args] of Object.entries(cases)) times[k].push(time(args));
  const median = (v: number[]) => v.slice().sort((a, b) => a - b)[v.length >> 1];
  const base = median(times['baseline (three.js) GeoJSONSeq']);
  console.log(`end to end, as processes, SF ${features} features, median of ${runs} alternating runs:`);
  for (const [k, v] of Object.entries(times)) console.log(`  ${k.padEnd(33)} ${median(v).toFixed(2)} s${k.startsWith('cityforge build') && !k.endsWith('one building') ? `  (${(median(v) / base).toFixed(2)}× the baseline; goal ≤ 0.5)` : ''}`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
