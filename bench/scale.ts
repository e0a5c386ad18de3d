/**
 * Scale run of `npm run bench` (or alone: node --import tsx bench/scale.ts 100000): a synthetic city made
 * by replicating the real SF footprints on a grid (deterministic offset copies), every roof shape mixed
 * in, terrain off, tiled with the `tiles` pipeline in this one process: buildings/s, peak RSS, bytes, tiles.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NULL_LOGGER } from '../src/core/logger.js';
import { Summary } from '../src/core/summary.js';
import type { FeatureBatch } from '../src/core/types.js';
import { ingest } from '../src/ingest/index.js';
import { ROOF_BUILDERS } from '../src/procedural/index.js';
import { allTiles, partition } from '../src/tiles/partition.js';
import { buildTiles, makePlan, mergeTiles, writeFileAtomic } from '../src/tiles/build.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const target = Number(process.argv[2] ?? 100000);
// --jobs N: N shard processes of this script into one folder, then a merge (as `cityforge tiles --jobs N`)
const jobs = Number(process.argv[process.argv.indexOf('--jobs') + 1] || 1);
const shardArg = process.argv.includes('--shard') ? process.argv[process.argv.indexOf('--shard') + 1] : null;
const outArg = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : null;

function replicate(b: FeatureBatch, copies: number, spacing: number): FeatureBatch {
  const side = Math.ceil(Math.sqrt(copies));
  const nv = b.positions.length / 2, nr = b.ringOffsets.length - 1, np = b.polygonOffsets.length - 1, nf = b.params.length;
  const positions = new Float64Array(2 * nv * copies);
  const ringOffsets = new Uint32Array(nr * copies + 1);
  const polygonOffsets = new Uint32Array(np * copies + 1);
  const featureOffsets = new Uint32Array(nf * copies + 1);
  const shapes = ROOF_BUILDERS.map((r) => r.shapes[0]);
  const params = [];
  for (let c = 0; c < copies; c++) {
    const ox = (c % side) * spacing, oy = Math.floor(c / side) * spacing;
    for (let i = 0; i < nv; i++) {
      positions[2 * (c * nv + i)] = b.positions[2 * i] + ox;
      positions[2 * (c * nv + i) + 1] = b.positions[2 * i + 1] + oy;
    }
    for (let r = 1; r <= nr; r++) ringOffsets[c * nr + r] = b.ringOffsets[r] + c * nv;
    for (let p = 1; p <= np; p++) polygonOffsets[c * np + p] = b.polygonOffsets[p] + c * nr;
    for (let f = 1; f <= nf; f++) featureOffsets[c * nf + f] = b.featureOffsets[f] + c * np;
    for (let f = 0; f < nf; f++) {
      const q = b.params[f];
      const k = c * nf + f;
      params.push({ ...q, id: `${c}:${q.id}`, drawAs: q.drawAs < 0 ? -1 : q.drawAs + c * nf, roof: { ...q.roof, shape: shapes[(k * 7919) % shapes.length] } });
    }
  }
  return { frame: b.frame, positions, ringOffsets, polygonOffsets, featureOffsets, params };
}

if (jobs > 1 && !shardArg) {
  const { spawn } = await import('node:child_process');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cityforge-scale-'));
  const t0 = performance.now();
  const rss = await Promise.all(
    Array.from({ length: jobs }, (_, i) =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), String(target), '--shard', `${i}/${jobs}`, '--out', out], { stdio: ['ignore', 'pipe', 'inherit'] });
        let text = '';
        child.stdout.on('data', (d) => (text += d));
        child.on('exit', (code) => (code === 0 ? resolve(Number(/rss (\d+)/.exec(text)?.[1] ?? 0)) : reject(new Error(`shard ${i} failed`))));
      }),
    ),
  );
  mergeTiles([out], out, NULL_LOGGER);
  const secs = (performance.now() - t0) / 1000;
  let bytes = 0, tiles = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.endsWith('.glb')) {
        bytes += fs.statSync(path.join(d, e.name)).size;
        tiles++;
      }
    }
  };
  walk(out);
  const n = Math.ceil(target / 13148) * 13148;
  console.log(`scale: about ${n} buildings, ${jobs} shard processes + merge: ${tiles} tiles, ${secs.toFixed(1)} s = ${Math.round(n / secs)} buildings/s, ${(bytes / 1e6).toFixed(0)} MB, peak RSS per process ${Math.max(...rss)} MB`);
  fs.rmSync(out, { recursive: true, force: true });
  process.exit(0);
}

const base = await ingest([path.join(here, '..', 'data', 'sf-mvt')], {}, NULL_LOGGER, new Summary());
const copies = Math.ceil(target / base.params.length);
const city = replicate(base, copies, 4000);
const out = outArg ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cityforge-scale-'));
const t0 = performance.now();
const root = partition(city, { maxBuildings: 2000 });
writeFileAtomic(path.join(out, 'plan.json'), JSON.stringify(makePlan(root, city.frame, { copies }), null, 1));
const summary = new Summary();
const all = allTiles(root);
const [si, sn] = shardArg ? shardArg.split('/').map(Number) : [0, 1];
const tiles = all.filter((_, k) => k % sn === si);
await buildTiles(city, tiles, out, undefined, false, NULL_LOGGER, summary);
if (shardArg) {
  console.log(`shard ${shardArg}: ${tiles.length} tiles, rss ${Math.round(process.resourceUsage().maxRSS / 1024)}`);
  process.exit(0);
}
mergeTiles([out], out, NULL_LOGGER);
const secs = (performance.now() - t0) / 1000;
console.log(
  `scale: ${city.params.length} buildings (${copies} copies of SF, all roof shapes), ${tiles.length} tiles (${tiles.filter((t) => !t.children.length).length} leaves), ` +
    `${secs.toFixed(1)} s = ${Math.round(city.params.length / secs)} buildings/s, ${(summary.bytes / 1e6).toFixed(0)} MB, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (one process)`,
);
fs.rmSync(out, { recursive: true, force: true });
