import path from 'node:path';
import type { Logger } from '../core/logger.js';
import { Summary } from '../core/summary.js';
import { ingest, INGEST_DEFAULTS } from '../ingest/index.js';
import { buildMeshes } from '../procedural/index.js';
import { writeGlb } from '../export/gltf.js';
import { AtomicOutput } from './output.js';
import type { Progress } from './progress.js';

/** Options of `cityforge build`, as parsed from the command line. */
export interface BuildCommandOptions {
  output: string;
  layer?: string[];
  where?: string;
  sSrs?: string;
  levelHeight: number;
  defaultHeight: number;
  origin?: [number, number];
}

/** Run `cityforge build`: ingest → procedural → GLB, written atomically. Returns the run summary. */
export async function runBuild(inputs: string[], options: BuildCommandOptions, logger: Logger, progress: Progress): Promise<Summary> {
  const summary = new Summary();
  const t0 = performance.now();
  if (!/\.glb$/i.test(options.output)) throw new Error(`cityforge: usage: the output must be a .glb file (got ${options.output})`);
  const out = new AtomicOutput(options.output);
  try {
    const batch = await ingest(
      inputs,
      {
        ...INGEST_DEFAULTS,
        layers: options.layer,
        where: options.where,
        sSrs: options.sSrs,
        levelHeight: options.levelHeight,
        defaultHeight: options.defaultHeight,
        origin: options.origin,
        onProgress: (n) => progress.update('reading features', n),
      },
      logger,
      summary,
    );
    progress.done();
    if (batch.params.length === 0) throw new Error(`cityforge ingest: ${inputs.join(', ')}: no buildings left to build (${summary.skippedTotal} skipped; see the skip counts)`);
    progress.update('building meshes', 0, batch.params.length);
    const mesh = buildMeshes(batch, {}, summary, logger);
    progress.update('building meshes', batch.params.length, batch.params.length);
    progress.done();
    const t1 = performance.now();
    const glb = await writeGlb(mesh, batch.params, batch.frame);
    summary.time('encode', (performance.now() - t1) / 1000);
    out.commit(glb);
    summary.buildingsWritten = batch.params.length;
    summary.bytes = glb.byteLength;
    logger.info(`wrote ${path.resolve(options.output)}`);
  } catch (e) {
    out.abort();
    throw e;
  }
  summary.time('total', (performance.now() - t0) / 1000);
  return summary;
}
