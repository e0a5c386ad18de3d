/**
 * `npm run bench`: build the SF tiles with cityforge and with the three.js baseline on the same
 * footprints; print buildings/s, triangles, GLB bytes, peak RSS and the cityforge/baseline ratios.
 * Then end to end as processes against a three.js script (e2e.ts), roof fallbacks and skeleton speed over the sample city (fallbacks.ts), raster tiles (raster-tiles.ts), CityJSON in and out (cityjson.ts) and the inverse-modelling benches (infer-roundtrip.ts, infer-real.ts: SHARED_DATA or ../shared/data).
 * Each side runs in its own process so peak RSS is its own. Results: bench/RESULTS.md (by hand).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const input = process.env.BENCH_INPUT ?? path.join(here, '..', 'data', 'sf-mvt');
const runs = Number(process.env.BENCH_RUNS ?? 3);

interface Result { skeletonSeconds: number; fallbacks: number; side: string; buildings: number; triangles: number; bytes: number; seconds: number; totalSeconds: number; maxRssMB: number }

function run(side: string): Result {
  const times: Result[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'side.ts'), side, input], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`bench ${side} failed: ${r.stderr}`);
    times.push(JSON.parse(r.stdout.trim().split('\n').pop()!));
  }
  times.sort((a, b) => a.seconds - b.seconds);
  return times[Math.floor(times.length / 2)];
}

const cf = run('cityforge');
const bl = run('baseline');
const fmt = (r: Result) =>
  `${r.side.padEnd(10)} ${r.buildings} buildings  build+encode ${r.seconds.toFixed(3)} s (${Math.round(r.buildings / r.seconds)} buildings/s)  total ${r.totalSeconds.toFixed(3)} s  ${r.triangles} triangles  ${r.bytes} bytes  peak RSS ${r.maxRssMB.toFixed(0)} MB`;
console.log(`machine: ${os.cpus()[0]?.model ?? '?'} ×${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; input ${path.relative(process.cwd(), input)}; median of ${runs}`);
console.log(fmt(cf));
console.log(fmt(bl));
const rf = run('roofs');
console.log(fmt(rf));
console.log(`roofs: every S3DB shape mixed over the same footprints; straight skeleton ${rf.skeletonSeconds.toFixed(3)} s = ${((100 * rf.skeletonSeconds) / rf.seconds).toFixed(1)} % of build+encode; ${rf.fallbacks} roof fallbacks`);
console.log(`ratio cityforge/baseline: time ${(cf.seconds / bl.seconds).toFixed(3)}  bytes ${(cf.bytes / bl.bytes).toFixed(3)}  (floor ≤ 1 and ≤ 0.5; goal ≤ 0.333 and ≤ 0.25)`);

const terrain = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'terrain.ts')], { encoding: 'utf8' });
if (terrain.status !== 0) throw new Error(`bench terrain failed: ${terrain.stderr}`);
process.stdout.write(terrain.stdout);

for (const n of (process.env.BENCH_SCALE ?? '100000').split(',').filter(Boolean)) {
  const scale = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'scale.ts'), n], { encoding: 'utf8' });
  if (scale.status !== 0) throw new Error(`bench scale ${n} failed: ${scale.stderr}`);
  process.stdout.write(scale.stdout);
}

// raster tiles; inverse modelling: the synthetic round trip, then the real cases when ../shared/data is present
for (const [script, args] of [['e2e.ts', ['5']], ['fallbacks.ts', []], ['raster-tiles.ts', []], ['cityjson.ts', []], ['infer-roundtrip.ts', ['600']], ['infer-real.ts', []]] as const) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, script), ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench ${script} failed: ${r.stderr}`);
  process.stdout.write(r.stdout);
}
