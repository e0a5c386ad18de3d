/**
 * Scale run of `npm run bench` (or alone: node --import tsx bench/scale.ts 100000 [--jobs 2] [--facades texture] [--keep]):
 * a synthetic city made by replicating the real SF footprints on a grid (deterministic offset
 * copies, every roof shape mixed in, terrain off), written to a FlatGeobuf file on disk, then tiled
 * by the real CLI (`cityforge tiles`, streaming) in a child process: buildings/s, peak RSS (of the
 * whole process, worker threads included) and its resident memory every 2 s (the memory curve), bytes, tiles. Runs the compiled CLI (dist/): `npm run bench`
 * compiles first.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import gdal from 'gdal-async';
import { NULL_LOGGER } from '../src/core/logger.js';
import { Summary } from '../src/core/summary.js';
import { ingest } from '../src/ingest/index.js';
import { ROOF_BUILDERS } from '../src/procedural/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const target = Number(process.argv[2] ?? 100000);
const jobs = Number(process.argv.includes('--jobs') ? process.argv[process.argv.indexOf('--jobs') + 1] : 2);
const keep = process.argv.includes('--keep');
const facades = process.argv.includes('--facades') ? process.argv[process.argv.indexOf('--facades') + 1] : 'none';

/** Write `copies` copies of the SF buildings on a `spacing`-metre grid to a FlatGeobuf file (in the SF frame's CRS). */
async function synthesize(file: string, copies: number, spacing: number): Promise<number> {
  const base = await ingest([path.join(here, '..', 'data', 'sf-mvt')], {}, NULL_LOGGER, new Summary());
  const srs = gdal.SpatialReference.fromProj4(base.frame.proj);
  const ds = gdal.open(file, 'w', 'FlatGeobuf');
  const layer = ds.layers.create('buildings', srs, gdal.wkbMultiPolygon, ['SPATIAL_INDEX=NO']);
  for (const [name, type] of [['id', gdal.OFTString], ['height', gdal.OFTReal], ['min_height', gdal.OFTReal], ['building', gdal.OFTString], ['roof:shape', gdal.OFTString]] as const)
    layer.fields.add(new gdal.FieldDefn(name, type));
  const shapes = ROOF_BUILDERS.map((r) => r.shapes[0]);
  const side = Math.ceil(Math.sqrt(copies));
  const nf = base.params.length;
  let n = 0;
  for (let c = 0; c < copies; c++) {
    const ox = (c % side) * spacing, oy = Math.floor(c / side) * spacing;
    for (let f = 0; f < nf; f++) {
      const q = base.params[f];
      const mp = new gdal.MultiPolygon();
      for (let p = base.featureOffsets[f]; p < base.featureOffsets[f + 1]; p++) {
        const poly = new gdal.Polygon();
        for (let r = base.polygonOffsets[p]; r < base.polygonOffsets[p + 1]; r++) {
          const ring = new gdal.LinearRing();
          const a = base.ringOffsets[r], e = base.ringOffsets[r + 1];
          for (let v = a; v <= e; v++) {
            const w = v < e ? v : a;
            ring.points.add(base.positions[2 * w] + ox, base.positions[2 * w + 1] + oy);
          }
          poly.rings.add(ring);
        }
        mp.children.add(poly);
      }
      const feature = new gdal.Feature(layer);
      feature.setGeometry(mp);
      feature.fields.set({ id: `${c}:${q.id}`, height: q.height, min_height: q.minHeight, building: q.kind ?? 'yes', 'roof:shape': shapes[((c * nf + f) * 7919) % shapes.length] });
      layer.features.add(feature);
      n++;
    }
  }
  ds.close();
  return n;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cityforge-scale-'));
const input = path.join(tmp, 'city.fgb');
const copies = Math.ceil(target / 13148);
const ts = performance.now();
const n = await synthesize(input, copies, 4000);
const synthSecs = (performance.now() - ts) / 1000;
const out = path.join(tmp, 'tiles');
const t0 = performance.now();
// the run's resident memory every 2 s (from /proc, worker threads included): the memory curve
const curve: [number, number][] = [];
// (--attributes none: the synthetic columns are the parameters cityforge writes itself; read as a user's own
// columns since a building column alone no longer makes a layer OSM data, their source_ copies added 4 % to
// the run and 26 MB to the tiles at 200 k)
const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
  const child = spawn(process.execPath, [path.join(here, '..', 'bin', 'cityforge.js'), 'tiles', input, '-o', out, '--jobs', String(jobs), '--facades', facades, '--attributes', 'none', '--json', '-q'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const sample = setInterval(() => {
    try {
      const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
      if (kb) curve.push([(performance.now() - t0) / 1000, Number(kb) / 1024]);
    } catch {
      /* not on Linux, or the run just ended */
    }
  }, 2000);
  child.on('close', (status) => {
    clearInterval(sample);
    resolve({ status, stdout, stderr });
  });
});
const secs = (performance.now() - t0) / 1000;
if (r.status !== 0) {
  process.stderr.write(r.stderr);
  throw new Error(`cityforge tiles failed (exit ${r.status})`);
}
const s = JSON.parse(r.stdout) as { buildingsWritten: number; bytes: number; peakRssMB: number; timings: Record<string, number> };
let tiles = 0;
const walk = (d: string) => {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    if (e.isDirectory()) walk(path.join(d, e.name));
    else if (e.name.endsWith('.glb')) tiles++;
  }
};
walk(out);
console.log(
  `scale: ${s.buildingsWritten} buildings (${copies} copies of SF, all roof shapes; input ${(fs.statSync(input).size / 1e6).toFixed(0)} MB FlatGeobuf, made in ${synthSecs.toFixed(0)} s), ` +
    `cityforge tiles --jobs ${jobs}${facades !== "none" ? ` --facades ${facades}` : ""}: ${tiles} tiles, ${secs.toFixed(1)} s = ${Math.round(n / secs)} buildings/s (read ${s.timings.read?.toFixed(0)} s, index ${s.timings.index?.toFixed(1)} s, partition ${s.timings.partition?.toFixed(1)} s, tiles ${s.timings.tiles?.toFixed(0)} s, merge ${s.timings.merge?.toFixed(1)} s), ` +
    `${(s.bytes / 1e6).toFixed(0)} MB, peak RSS ${s.peakRssMB} MB (one process, worker threads included)`,
);
if (curve.length) console.log(`memory curve (s: MB resident): ${curve.filter((_, i) => i % Math.max(1, Math.round(curve.length / 30)) === 0).map(([t, mb]) => `${t.toFixed(0)}: ${mb.toFixed(0)}`).join(', ')}`);
if (!keep) fs.rmSync(tmp, { recursive: true, force: true });
else console.log(`kept ${tmp}`);
