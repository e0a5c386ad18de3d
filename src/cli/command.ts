import fs from 'node:fs';
import path from 'node:path';
import type { Command, OptionValues } from 'commander';
import { UsageError } from '../core/errors.js';
import type { Logger, LogLevel } from '../core/logger.js';
import type { Progress } from '../core/progress.js';
import type { Summary } from '../core/summary.js';
import { counted } from '../core/words.js';

/** What a command writes to: a logger (stderr), progress, and stdout. */
export interface CommandIO {
  logger: Logger;
  progress: Progress;
  /** Write to stdout (JSON summaries, plan lines, URLs). */
  stdout(text: string): void;
  /** Write a finished block of lines to stderr (the summary). */
  stderr(text: string): void;
}

/**
 * One command of the CLI, in a file of its own: it declares its arguments and options
 * (`define`, in the main thread) and runs (`run`: parses its options into the pipeline's, calls the
 * pipeline, prints). A command that `inWorker` runs in a worker thread, so that the main thread stays
 * free to answer Ctrl-C and SIGTERM at once; its `run` loads the pipeline (GDAL) only there.
 */
export interface CommandSpec {
  readonly name: string;
  /** Run in the job worker thread (everything that reads data), or in the main thread (the server). */
  readonly inWorker: boolean;
  /** Log only errors unless `-v` (its stdout is the point, e.g. `plan`). */
  readonly quietByDefault?: boolean;
  /**
   * The folders the command writes into that it makes when missing (`tiles -o`, `plan --store`): those
   * it made go again, while empty, when the run stops (a signal, an error) before writing in them.
   */
  outputFolders?(opts: OptionValues): string[];
  /**
   * The files the command writes through a temporary name (`build -o`): known here before the job worker
   * makes them, so that a signal removes them though the worker's report of them is lost with it.
   */
  outputFiles?(opts: OptionValues): string[];
  /** Add the command, its arguments, options and help to the program. */
  define(program: Command): Command;
  /**
   * Load what `run` will load (its pipeline), while the command line is still being parsed: the job
   * worker, started early on the command's name alone, calls it before its job arrives.
   */
  preload?(): Promise<unknown>;
  /** Run with commander's parsed arguments and options. */
  run(args: unknown[], opts: OptionValues, io: CommandIO): Promise<void>;
}

/** Peak resident memory of this process (worker threads included), MB. */
export const peakRssMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

/** What the summary's warnings line adds for the run's own warnings (warnings-printed-not-counted: "none" under two `warn:` lines). */
const runWarnings = (n: number) => (n ? `; ${n === 1 ? 'one warning' : `${n} warnings`} about the run (the "warn:" line${n === 1 ? '' : 's'} above)` : '');

/** The plain-text run summary printed to stderr at the end of a run (`named`: the log named each skipped feature and warning). */
export function formatSummary(s: Summary, out: string, named = false): string {
  const j = s.toJSON();
  const fmt = (n: number) => n.toLocaleString('en-US');
  const list = (m: Record<string, number>) => Object.entries(m).map(([k, v]) => `${k} ${fmt(v)}`).join(', ') || 'none';
  // (terrain-only: a raster in, no features)
  const what = j.featuresRead === 0 && j.buildingsWritten === 0 && (j.triangles ?? 0) > 0 ? `summary: a terrain mesh from ${j.inputs.length} input(s) written to ${out}` : null;
  return [
    what ?? `summary: ${counted(fmt(j.featuresRead), 'feature')} read from ${j.inputs.length} input(s); ${counted(fmt(j.buildingsWritten - j.partsWritten), 'building')}${j.partsWritten ? ` (and ${counted(fmt(j.partsWritten), 'building part')})` : ''} written to ${out}`,
    // (no triangles for outputs without a mesh: infer's parameters, rasterize's rasters)
    `summary: ${j.triangles ? `${fmt(j.triangles)} triangles, ` : ''}${fmt(j.bytes)} bytes, peak memory ${peakRssMB()} MB, ${(j.timings['total'] ?? 0).toFixed(2)} s${((stages) => (stages.length ? ` (${stages.join(', ')})` : ''))(Object.entries(j.timings).filter(([k]) => k !== 'total').map(([k, v]) => `${k} ${v.toFixed(2)} s`))}`,
    // skipped-unnamed-without-a-hint: where the features are named
    `summary: skipped ${fmt(j.skippedTotal)}: ${list(j.skipped)}${j.skippedTotal && !named ? ' (-v names each)' : ''}`,
    `summary: warnings: ${list(j.warnings)}${Object.keys(j.warnings).length && !named ? ' (-v names each)' : ''}${runWarnings(j.runWarnings.length)}`,
  ].join('\n') + '\n';
}

/**
 * Refuse (usage error, exit 2) an output that is one of the run's inputs — an input argument or a file
 * any option names (`--dsm`, `--terrain`, …) — which the output would replace once written
 * (infer-overwrote-its-footprints: `infer fp.gpkg --dsm … -o fp.gpkg` replaced the footprints).
 *
 * @example
 * ```ts
 * refuseOverwritingInputs('infer', [o.output], inputs, o); // throws when o.output is an input
 * ```
 */
export function refuseOverwritingInputs(stage: string, outputs: readonly string[], inputs: readonly string[], opts: OptionValues): void {
  const real = (f: string): string | null => {
    try {
      return fs.realpathSync(f);
    } catch {
      return null;
    }
  };
  const named = [...inputs.map((f) => ({ f, how: 'an input' })), ...Object.entries(opts).filter(([k, v]) => typeof v === 'string' && !['output', 'labels'].includes(k)).map(([k, v]) => ({ f: v as string, how: `--${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}` }))];
  for (const out of outputs) {
    const o = real(out);
    if (!o) continue;
    const hit = named.find(({ f }) => real(f) === o);
    if (hit) throw new UsageError(stage, `${out}: the output is also ${hit.how === 'an input' ? 'an input' : `the file of ${hit.how}`}, and writing it would replace it; write the output elsewhere`);
  }
}

/**
 * Run `make` into an atomically written GLB at `file` (the temporary file made first: an unwritable
 * folder fails before any work), then print the summary.
 */
export async function writeGlbOutput(stage: string, file: string, io: CommandIO, o: { quiet?: boolean; json?: boolean }, make: () => Promise<{ glb: Uint8Array; summary: Summary }>): Promise<void> {
  await writeBytesOutput(stage, file, io, o, async () => {
    const { glb, summary } = await make();
    return { bytes: glb, summary };
  });
}

/** Run `make` into an atomically written file at `file` (any format), then print the summary. */
export async function writeBytesOutput(stage: string, file: string, io: CommandIO, o: { quiet?: boolean; json?: boolean }, make: () => Promise<{ bytes: Uint8Array; summary: Summary }>): Promise<void> {
  const { AtomicOutput } = await import('../io/files.js');
  const out = new AtomicOutput(file, stage);
  try {
    const { bytes, summary } = await make();
    out.commit(bytes);
    io.logger.info(`wrote ${path.resolve(file)}`);
    printSummary(io, summary, file, o);
  } catch (e) {
    out.abort();
    throw e;
  }
}

/** Print a run's summary: the plain lines to stderr (unless quiet), JSON to stdout with `--json`. */
export function printSummary(io: CommandIO, s: Summary, out: string, o: { quiet?: boolean; json?: boolean }): void {
  if (!o.quiet) io.stderr(formatSummary(s, out, io.logger.level === 'debug'));
  if (o.json) io.stdout(JSON.stringify({ ...s.toJSON(), peakRssMB: peakRssMB() }, null, 2) + '\n');
}

/** The log level of a command run with these options. */
export function logLevelOf(spec: Pick<CommandSpec, 'quietByDefault'>, o: { quiet?: boolean; verbose?: boolean }): LogLevel {
  if (o.quiet) return 'error';
  if (o.verbose) return 'debug';
  return spec.quietByDefault ? 'error' : 'info';
}
