import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { createLineLogger, type LogLevel } from '../core/logger.js';
import type { Summary } from '../core/summary.js';
import { runBuild, runTerrain } from './build.js';
import { abortAllOutputs, OutputError } from './output.js';
import { exportSite, resolveModel, serveViewer } from './serve.js';
import { parseShard, runPlan, runTiles } from './tiles.js';
import { mergeTiles } from '../tiles/build.js';
import { createProgress } from './progress.js';

/** Exit codes of the `cityforge` command. */
export const EXIT = { ok: 0, internal: 1, usage: 2, input: 3, output: 4, interrupted: 130 } as const;

const number = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`);
  return n;
};
const lonLat = (v: string): [number, number] => {
  const p = v.split(',').map(Number);
  if (p.length !== 2 || p.some((x) => !Number.isFinite(x)) || Math.abs(p[1]) > 90) throw new InvalidArgumentError('expected lon,lat in degrees');
  return [p[0], p[1]];
};

/** Peak resident memory of this process (worker threads included), MB. */
const peakRssMB = () => Math.round(process.resourceUsage().maxRSS / 1024);

function formatSummary(s: Summary, out: string): string {
  const j = s.toJSON();
  const fmt = (n: number) => n.toLocaleString('en-US');
  const list = (m: Record<string, number>) => Object.entries(m).map(([k, v]) => `${k} ${fmt(v)}`).join(', ') || 'none';
  return [
    `summary: ${fmt(j.featuresRead)} features read from ${j.inputs.length} input(s); ${fmt(j.buildingsWritten)} buildings written to ${out}`,
    `summary: ${fmt(j.triangles)} triangles, ${fmt(j.bytes)} bytes, peak memory ${peakRssMB()} MB, ${(j.timings['total'] ?? 0).toFixed(2)} s (${Object.entries(j.timings).filter(([k]) => k !== 'total').map(([k, v]) => `${k} ${v.toFixed(2)} s`).join(', ')})`,
    `summary: skipped ${fmt(j.skippedTotal)}: ${list(j.skipped)}`,
    `summary: warnings: ${list(j.warnings)}`,
  ].join('\n');
}

/** Build the commander program (exported for tests and `--help` docs). */
export function createProgram(): Command {
  const program = new Command();
  program
    .name('cityforge')
    .description('GIS data in, 3D cities out. Batch-friendly: no prompts, plain log lines when not on a TTY, meaningful exit codes.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) })
    .addHelpText(
      'after',
      `
Start here:
  $ cityforge build data/sf-mvt --terrain data/sf-terrain-3857.tif -o out/sf.glb
  $ cityforge view out/sf.glb
  $ cityforge <command> --help

Exit codes:
  0  success
  1  internal error (a bug: please report it)
  2  usage error (bad option or argument)
  3  input error (missing/unreadable file, no CRS, empty layer, no valid features)
  4  output error (folder missing or not writable)
  130 interrupted (no partial output is left behind)`,
    );

  /** Options of every command that reads inputs (build, tiles, plan). */
  const inputOptions = (c: Command) =>
    c
      .option('--layer <names...>', 'layer(s) to read (default: OSM multipolygons; MVT building; otherwise every polygon layer)')
      .option('--where <sql>', "OGR SQL attribute filter, e.g. \"height > 20\" (default for OSM: building or building:part)")
      .option('--s-srs <crs>', 'source CRS, overriding the file (EPSG:xxxx, WKT, PROJ); required when a source has none')
      .addOption(new Option('--level-height <m>', 'metres per building:levels storey').argParser(number('--level-height')).default(3))
      .addOption(new Option('--default-height <m>', 'height of buildings with no usable height or levels').argParser(number('--default-height')).default(10))
      .addOption(new Option('--origin <lon,lat>', 'origin of the local frame (default: centre of the data)').argParser(lonLat))
      .option('--terrain <raster>', 'DEM (any GDAL raster, any CRS): seat the buildings on it (build: and add a terrain mesh)')
      .addOption(new Option('--terrain-error <m>', 'largest vertical error of the terrain mesh').argParser(number('--terrain-error')).default(1))
      .addOption(new Option('--terrain-resolution <m>', "terrain grid spacing (default: about the raster's)").argParser(number('--terrain-resolution')))
      .addOption(new Option('--terrain-max-samples <n>', 'largest side of the one terrain grid over the whole area (memory: 4 bytes a sample); tiles: where that grid is coarser than the raster, each leaf tile reads its own DEM window').argParser(number('--terrain-max-samples')).default(4097))
      .addOption(new Option('--z-scale <factor>', 'multiply raster values by this (e.g. 0.3048 for feet)').argParser(number('--z-scale')).default(1))
      .addOption(new Option('--base <mode>', 'building base elevation from the terrain under the footprint').choices(['min', 'mean', 'centroid']).default('min'));
  const maxBuildings = new Option('--max-buildings <n>', 'a tile with more buildings is split (quadtree)').argParser(number('--max-buildings')).default(2000);
  const storeOption = (what: string) => new Option('--store <dir>', what);
  const workDir = new Option('--work-dir <dir>', 'where the streamed features are spilled (about 0.4 KB per building; default: <output>/.work, plan: the temp folder); removed at the end');

  inputOptions(
    program
      .command('tiles')
      .description('Build an OGC 3D Tiles 1.1 tileset (quadtree, REPLACE levels of detail, GLB contents with EXT_mesh_features / EXT_structural_metadata). Streams: the inputs are read once into an on-disk store (memory does not grow with the number of buildings), tiles are built one at a time and written as they complete. Resumable; shardable over machines; byte-identical whatever the split.')
      .argument('<inputs...>', 'vector sources, as for build')
      .requiredOption('-o, --output <dir>', 'output folder (tileset.json, plan.json, tiles/<level>/<x>/<y>.glb)'),
  )
    .addOption(maxBuildings)
    .addOption(workDir)
    .addOption(storeOption('reuse the feature store made by cityforge plan --store <dir> (on shared storage): the inputs are not read again; for shards on many machines').conflicts('workDir'))
    .option('--compress', 'compress tile contents with EXT_meshopt_compression (about 40 % of the bytes; clients need the meshopt decoder)')
    .addOption(new Option('--shard <i/N>', 'build only share i of N of the tiles (for GNU parallel, Slurm arrays, Kubernetes Indexed Jobs); then cityforge merge').argParser(parseShard).conflicts('units'))
    .option('--units <file>', 'build only the tiles listed in a file (one id per line, or lines of cityforge plan); then cityforge merge')
    .addOption(new Option('--jobs <n>', 'worker threads building tiles (one ingest; same bytes for any n)').argParser(number('--jobs')).default(1))
    .option('--force', 'rebuild every tile (default: tiles already complete are kept: a killed run resumes)')
    .option('--json', 'print the run summary as JSON on stdout')
    .option('-q, --quiet', 'only errors')
    .addHelpText(
      'after',
      `
Examples:
  $ cityforge tiles data/sf-mvt --terrain data/sf-terrain-3857.tif -o out/sf-tiles --jobs 2
  $ cityforge plan data/sf-mvt                        # the work units, one JSON line each
  $ parallel cityforge tiles data/sf-mvt -o /shared/t --shard {}/4 ::: 0 1 2 3 && cityforge merge /shared/t -o /shared/t
  $ cityforge plan city.pbf --store /shared/store > units.jsonl  # read once; then every shard:
  $ cityforge tiles city.pbf --store /shared/store -o /shared/t --shard $I/64
  $ sbatch --array=0-15 scripts/slurm-tiles.sh          # then cityforge merge (see docs/TILES.md)`,
    )
    .action(async (inputs: string[], o) => {
      const logger = createLineLogger(o.quiet ? 'error' : 'info', (line) => process.stderr.write(line + '\n'));
      const progress = createProgress({ tty: !!process.stderr.isTTY, interval: 5, write: (s) => process.stderr.write(s), quiet: !!o.quiet });
      const summary = await runTiles(inputs, { ...o, force: !!o.force, terrainResolution: o.terrainResolution ?? 0 }, logger, progress);
      if (!o.quiet) process.stderr.write(formatSummary(summary, o.output) + '\n');
      if (o.json) process.stdout.write(JSON.stringify({ ...summary.toJSON(), peakRssMB: peakRssMB() }, null, 2) + '\n');
    });

  inputOptions(
    program
      .command('plan')
      .description('Print the independent work units (tiles) of a tiles run as JSON lines: unit, index, level, buildings, leaf.')
      .argument('<inputs...>', 'vector sources, as for tiles'),
  )
    .addOption(maxBuildings)
    .addOption(workDir)
    .addOption(storeOption('keep the streamed feature store in <dir> (made once, reused by tiles --store <dir>, e.g. by every shard)').conflicts('workDir'))
    .action(async (inputs: string[], o) => {
    const logger = createLineLogger('error', (line) => process.stderr.write(line + '\n'));
    const progress = createProgress({ tty: false, interval: 3600, write: () => {}, quiet: true });
    for (const line of await runPlan(inputs, { ...o, output: '', jobs: 1, force: false, terrainResolution: o.terrainResolution ?? 0 }, logger, progress)) process.stdout.write(line + '\n');
  });

  program
    .command('merge')
    .description('Assemble tileset.json from the output folders of tiles --shard runs (tiles found elsewhere are copied into -o).')
    .argument('<dirs...>', 'shard output folders (the same folder for shards that shared one)')
    .requiredOption('-o, --output <dir>', 'the tileset folder')
    .action(async (dirs: string[], o) => {
      const logger = createLineLogger('info', (line) => process.stderr.write(line + '\n'));
      mergeTiles(dirs, o.output, logger);
    });

  inputOptions(
    program
      .command('build')
      .description('Build buildings from GIS footprints into one georeferenced GLB (EXT_mesh_features + EXT_structural_metadata).')
    .argument('<inputs...>', 'vector sources: GeoJSON(Seq), Shapefile, GeoPackage, FlatGeobuf, OSM .osm/.pbf, any OGR source; vector tiles: z-x-y.mvt, a z/x/y folder, .mbtiles, .pmtiles')
    .requiredOption('-o, --output <file.glb>', 'output GLB (written to a temporary name, renamed when complete)'),
  )
    .option('--compress', 'compress with EXT_meshopt_compression (about 40 % of the bytes; clients need the meshopt decoder)')
    .option('--json', 'print the run summary as JSON on stdout')
    .option('-q, --quiet', 'only errors')
    .option('-v, --verbose', 'debug logging (every skipped feature)')
    .addHelpText(
      'after',
      `
Examples:
  $ cityforge build data/sf-mvt -o out/sf.glb
  $ cityforge build monaco.osm.pbf -o monaco.glb --json > summary.json
  $ cityforge build parcels.shp --s-srs EPSG:2056 --where "height > 3" -o city.glb
  $ cityforge build tiles.mbtiles --layer building -o city.glb -q
  $ cityforge build data/sf-mvt --terrain data/sf-terrain-3857.tif --terrain-error 0.5 -o sf.glb`,
    )
    .action(async (inputs: string[], o) => {
      const level: LogLevel = o.quiet ? 'error' : o.verbose ? 'debug' : 'info';
      const logger = createLineLogger(level, (line) => process.stderr.write(line + '\n'));
      const progress = createProgress({ tty: !!process.stderr.isTTY, interval: 5, write: (s) => process.stderr.write(s), quiet: !!o.quiet });
      const summary = await runBuild(inputs, { ...o, terrainResolution: o.terrainResolution ?? 0 }, logger, progress);
      if (!o.quiet) process.stderr.write(formatSummary(summary, o.output) + '\n');
      if (o.json) process.stdout.write(JSON.stringify({ ...summary.toJSON(), peakRssMB: peakRssMB() }, null, 2) + '\n');
    });
  program
    .command('terrain')
    .description('Build a terrain mesh alone from a DEM: an adaptive (RTIN) triangulation with skirts, in a frame centred on the raster.')
    .argument('<raster>', 'DEM: any GDAL raster (GeoTIFF, VRT, .hgt, …) in any CRS')
    .requiredOption('-o, --output <file.glb>', 'output GLB (written to a temporary name, renamed when complete)')
    .addOption(new Option('--terrain-error <m>', 'largest vertical error of the mesh').argParser(number('--terrain-error')).default(1))
    .addOption(new Option('--terrain-resolution <m>', 'grid spacing (default: about the raster\'s)').argParser(number('--terrain-resolution')))
    .addOption(new Option('--z-scale <factor>', 'multiply raster values by this').argParser(number('--z-scale')).default(1))
    .option('--json', 'print the run summary as JSON on stdout')
    .option('-q, --quiet', 'only errors')
    .addHelpText('after', `\nExample:\n  $ cityforge terrain data/sf-terrain-3857.tif --terrain-error 0.5 -o out/terrain.glb`)
    .action(async (raster: string, o) => {
      const logger = createLineLogger(o.quiet ? 'error' : 'info', (line) => process.stderr.write(line + '\n'));
      const summary = await runTerrain(raster, { ...o, terrainResolution: o.terrainResolution ?? 0 }, logger);
      if (!o.quiet) process.stderr.write(formatSummary(summary, o.output) + '\n');
      if (o.json) process.stdout.write(JSON.stringify({ ...summary.toJSON(), peakRssMB: peakRssMB() }, null, 2) + '\n');
    });
  program
    .command('view')
    .description('Show a GLB in the web viewer (three.js model view and deck.gl map view, per-building picking), served on localhost; or export it as a static site.')
    .argument('<target>', 'a .glb file, or a folder (its first .glb)')
    .option('--port <n>', 'port to listen on (0: any free port)', '8080')
    .option('--host <host>', 'address to listen on (0.0.0.0 to reach it from other machines)', '127.0.0.1')
    .option('--export <dir>', 'write a self-contained static site (viewer + data) to <dir> instead of serving')
    .addHelpText('after', `\nThe viewer never opens a browser itself (runs over ssh stay quiet): open the printed URL, or forward the port:\n  $ ssh -L 8080:localhost:8080 server   # then http://localhost:8080/\nExamples:\n  $ cityforge view out/sf.glb\n  $ cityforge view out/sf.glb --export site/ && npx serve site/`)
    .action(async (target: string, o) => {
      const logger = createLineLogger('info', (line) => process.stderr.write(line + '\n'));
      const model = resolveModel(target);
      if (o.export) {
        const files = exportSite(model, o.export);
        process.stdout.write(`cityforge view: wrote a static site to ${o.export} (${files.join(', ')}); serve it with any static web server\n`);
        return;
      }
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('cityforge: usage: --port must be 0..65535');
      const { url } = await serveViewer(model, o.host, port, logger);
      process.stdout.write(`cityforge view: ${url}\n`);
      await new Promise(() => {}); // serve until interrupted
    });
  // list commands in the order a user meets them
  const order = ['build', 'terrain', 'tiles', 'plan', 'merge', 'view'];
  (program.commands as Command[]).sort((a, b) => order.indexOf(a.name()) - order.indexOf(b.name()));
  return program;
}

/** Run the CLI with `argv` (as `process.argv`); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (e) {
    abortAllOutputs();
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return EXIT.ok;
      return EXIT.usage;
    }
    const msg = (e as Error).message ?? String(e);
    process.stderr.write(`error: ${msg.replace(/\s+/g, ' ').trim()}\n`);
    if (e instanceof OutputError) return EXIT.output;
    // the file system refused a write (full disk, quota, read-only, permissions, a file where a folder goes)
    if (['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'ENOTDIR', 'EISDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) return EXIT.output;
    if (msg.startsWith('cityforge: usage:')) return EXIT.usage;
    if (msg.startsWith('cityforge ingest:')) return EXIT.input;
    process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    return EXIT.internal;
  }
}

// `cityforge plan … | head` closes the pipe early: that is not an error
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT.ok);
    throw e;
  });

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    abortAllOutputs();
    process.exit(EXIT.interrupted);
  });
}

main(process.argv).then((code) => {
  process.exitCode = code;
});
