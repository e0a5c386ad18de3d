import { Option, type Command, type OptionValues } from 'commander';
import { TILES_DEFAULTS } from '../../pipeline/options.js';
import { printSummary, type CommandIO, type CommandSpec } from '../command.js';
import { count, facadeOption, imageryOptions, imageryOptionsOf, parseShard, planOptions, ellipsoidalOption, readOptions, readOptionsOf, terrainOptions, terrainOptionsOf, verbosityOptions, type ImageryArgs, type ReadArgs, type TerrainArgs, type VerbosityArgs } from '../options.js';

/** What commander gives for `cityforge tiles`. */
interface TilesArgs extends ReadArgs, TerrainArgs, ImageryArgs, VerbosityArgs {
  output: string;
  maxBuildings: number;
  workDir?: string;
  store?: string;
  compress?: boolean;
  facades: import('../../pipeline/options.js').FacadeMode;
  shard?: [number, number];
  units?: string;
  jobs: number;
  force?: boolean;
}

/**
 * The options of `tiles` that build the tiles, not read the inputs: terrain, imagery, facades,
 * compression, the share of the tiles and the workers (`plan` takes them too, hidden, with
 * `--tiles-options`).
 */
export function tilesOwnOptions(c: Command): Command {
  return facadeOption(imageryOptions(terrainOptions(c)))
    .option('--compress', 'compress tile contents with EXT_meshopt_compression (about 40 % of the bytes; clients need the meshopt decoder)')
    .addOption(new Option('--shard <i/N>', 'build only share i of N of the tiles (for GNU parallel, Slurm arrays, Kubernetes Indexed Jobs); then cityforge merge').argParser(parseShard).conflicts('units'))
    .option('--units <file>', 'build only the tiles listed in a file (one id per line, or lines of cityforge plan); then cityforge merge')
    .addOption(new Option('--jobs <n>', 'worker threads building tiles (one ingest; same bytes for any n)').argParser(count('--jobs')).default(TILES_DEFAULTS.jobs))
    .option('--force', 'rebuild every tile (default: tiles already complete are kept: a killed run resumes)');
}

/** `cityforge tiles`: footprints → an OGC 3D Tiles 1.1 tileset. */
export const tilesCommand: CommandSpec = {
  name: 'tiles',
  inWorker: true,
  outputFolders: (opts) => [opts['output'] as string],
  preload: () => import('../../pipeline/tiles.js'),
  define: (program: Command) =>
    verbosityOptions(
      tilesOwnOptions(
        planOptions(
          ellipsoidalOption(readOptions(
            program
              .command('tiles')
              .description('Build an OGC 3D Tiles 1.1 tileset (quadtree, REPLACE levels of detail, GLB contents with EXT_mesh_features / EXT_structural_metadata). Streams: the inputs are read once into an on-disk store (memory does not grow with the number of buildings), tiles are built one at a time and written as they complete. Resumable; shardable over machines; byte-identical whatever the split.')
              .argument('<inputs...>', 'vector sources, as for build')
              .requiredOption('-o, --output <dir>', 'output folder (tileset.json, plan.json, tiles/<level>/<x>/<y>.glb, find/: the viewer\'s index of ids and names)'),
          )),
          'reuse the feature store made by cityforge plan --store <dir> (on shared storage): the inputs are not read again; for shards on many machines',
        ),
      ),
    ).addHelpText(
      'after',
      `
Examples:
  $ cityforge tiles data/sf-mvt --terrain data/sf-terrain-3857.tif -o out/sf-tiles --jobs 2
  $ cityforge tiles data/sf-mvt --terrain data/sf-terrarium-z12 --imagery data/sf-osm-raster-z12 -o out/sf-tiles
  $ cityforge plan data/sf-mvt                        # the work units, one JSON line each
  $ parallel cityforge tiles data/sf-mvt -o /shared/t --shard {}/4 ::: 0 1 2 3 && cityforge merge /shared/t -o /shared/t
  $ cityforge plan city.pbf --store /shared/store > units.jsonl  # read once; then every shard:
  $ cityforge tiles city.pbf --store /shared/store -o /shared/t --shard $I/64
  $ sbatch --array=0-15 scripts/slurm-tiles.sh          # then cityforge merge (see docs/TILES.md)`,
    ),
  async run(args: unknown[], raw: OptionValues, io: CommandIO) {
    const inputs = args[0] as string[];
    const o = raw as TilesArgs;
    // array-task-built-everything: an array task's index in the environment, no --shard: each task builds
    // every tile (cityforge does not shard by itself: the scheduler's index goes into --shard)
    const task = process.env['SLURM_ARRAY_TASK_ID'] !== undefined ? { index: 'SLURM_ARRAY_TASK_ID', count: '$SLURM_ARRAY_TASK_COUNT', example: 'scripts/slurm-tiles.sh' } : process.env['JOB_COMPLETION_INDEX'] !== undefined ? { index: 'JOB_COMPLETION_INDEX', count: 'the Job\'s completions', example: 'scripts/k8s-tiles-job.yaml' } : null;
    if (task && !o.shard && !o.units) io.logger.warn(`${task.index} is set (${process.env[task.index]}) but no --shard was given: this task builds every tile; pass --shard <i/N> (i = $${task.index}, N = ${task.count}), as ${task.example} does`);
    const { buildTileset } = await import('../../pipeline/tiles.js');
    const summary = await buildTileset(inputs, {
      ...readOptionsOf(o),
      ...terrainOptionsOf(o),
      ...imageryOptionsOf(o),
      output: o.output,
      maxBuildings: o.maxBuildings,
      workDir: o.workDir,
      store: o.store,
      compress: !!o.compress,
      facades: o.facades,
      shard: o.shard,
      units: o.units,
      jobs: o.jobs,
      force: !!o.force,
      logger: io.logger,
      progress: io.progress,
    });
    printSummary(io, summary, o.output, o);
  },
};
