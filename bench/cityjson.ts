/**
 * CityJSON in and out (issue 17): `cityforge build` as a process on the real models (3DBAG Delft, Vienna;
 * SHARED_DATA or ../shared/data, skipped when absent) into GLB, and the SF sample into GLB and into
 * CityJSON / CityJSONSeq; wall time, bytes and peak RSS from each run's `--json` summary.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', 'bin', 'cityforge.js');
const shared = process.env.SHARED_DATA ?? path.join(here, '..', '..', 'shared', 'data');
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cityforge-bench-cityjson-'));

function build(label: string, args: string[], file: string): void {
  const t = performance.now();
  const r = spawnSync(process.execPath, [cli, 'build', ...args, '-o', path.join(out, file), '--json', '-q'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`bench cityjson ${label} failed: ${r.stderr}`);
  const s = JSON.parse(r.stdout);
  console.log(`${label.padEnd(34)} ${String(s.buildingsWritten).padStart(6)} buildings  ${String(s.triangles).padStart(8)} triangles  ${String(s.bytes).padStart(10)} bytes  ${wall.toFixed(2)} s  peak RSS ${Math.round(s.peakRssMB)} MB`);
}

try {
  console.log('CityJSON in and out (cityforge build as a process, wall time including start-up):');
  const delft = path.join(shared, 'inverse-delft-3dbag', 'source.city.jsonl');
  const vienna = path.join(shared, 'inverse-vienna', 'source.city.jsonl');
  if (fs.existsSync(delft)) build('3DBAG Delft CityJSONSeq → GLB', [delft], 'delft.glb');
  if (fs.existsSync(vienna)) build('Vienna LoD2 CityJSONSeq → GLB', [vienna, '--s-srs', 'EPSG:31256'], 'vienna.glb');
  const sf = path.join(here, '..', 'data', 'sf-mvt');
  build('SF vector tiles → GLB', [sf], 'sf.glb');
  build('SF vector tiles → CityJSON', [sf], 'sf.city.json');
  build('SF vector tiles → CityJSONSeq', [sf], 'sf.city.jsonl');
  build('SF CityJSON → GLB (kept surfaces)', [path.join(out, 'sf.city.json')], 'sf-again.glb');
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
