import { Option, type Command, type OptionValues } from 'commander';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { RASTERIZE_DEFAULTS } from '../../pipeline/options.js';
import { refuseOverwritingInputs, printSummary, type CommandIO, type CommandSpec } from '../command.js';
import { count, positive, readOptions, readOptionsOf, terrainOptions, terrainOptionsOf, upTo, verbosityOptions, type ReadArgs, type TerrainArgs, type VerbosityArgs } from '../options.js';

/** What commander gives for `cityforge rasterize`. */
interface RasterizeArgs extends ReadArgs, TerrainArgs, VerbosityArgs {
  output: string;
  cell: number;
  crs?: string;
  noise: number;
  dropout: number;
  seed: number;
  margin: number;
  labels?: string;
}

/** A non-negative number. */
const atLeastZero = (name: string) => (v: string): number => (v.trim() === '0' ? 0 : positive(name)(v));

/** `cityforge rasterize`: footprints + tags → the city rendered as a surface model (and labels). */
/** The labels' table beside them: labels.tif → labels.csv. */
const labelsTable = (labels: string) => labels.replace(/\.tiff?$/i, '') + '.csv';

export const rasterizeCommand: CommandSpec = {
  name: 'rasterize',
  inWorker: true,
  outputFiles: (opts) => [opts['output'] as string, ...(opts['labels'] ? [opts['labels'] as string, labelsTable(opts['labels'] as string)] : [])],
  preload: () => import('../../pipeline/rasterize.js'),
  define: (program: Command) =>
    verbosityOptions(
      terrainOptions(
        readOptions(
          program
            .command('rasterize')
            .description('Render the city `build` makes from footprints + tags — or a GLB cityforge built — into a surface model GeoTIFF (each cell the highest surface over its centre), with optional noise, dropout and label rasters: synthetic training data, and the round trip of `infer`.')
            .argument('<inputs...>', 'footprints with S3DB tags (any input `build` reads), or one model.glb that cityforge wrote (georeferenced; its ground included)')
            .requiredOption('-o, --output <dsm.tif>', 'output GeoTIFF (Float32, nodata −9999; heights above the ground, or on --terrain)'),
        ),
      )
        .addOption(new Option('--cell <m>', 'cell size').argParser(positive('--cell')).default(RASTERIZE_DEFAULTS.cell))
        .option('--crs <crs>', "output CRS, projected (EPSG:xxxx, WKT, PROJ); default: the sources' when they share one projected CRS, else the local frame")
        .addOption(new Option('--noise <m>', 'σ of Gaussian noise added to every height').argParser(atLeastZero('--noise')).default(RASTERIZE_DEFAULTS.noise))
        .addOption(new Option('--dropout <share>', 'share of cells set to no data (0…1)').argParser((v) => (v.trim() === '0' ? 0 : upTo('--dropout', 1)(v))).default(RASTERIZE_DEFAULTS.dropout))
        .addOption(new Option('--seed <n>', 'seed of the noise and dropout (same seed, same raster)').argParser(count('--seed')).default(RASTERIZE_DEFAULTS.seed))
        .addOption(new Option('--margin <m>', 'ground around the buildings').argParser(atLeastZero('--margin')).default(RASTERIZE_DEFAULTS.margin))
        .option('--labels <labels.tif>', "also write labels: band 1 the feature index + 1 (its row in the inputs, a building part its own; from a GLB its property-table row, parts under their building's; 0 ground), band 2 the roof-shape class (1 flat, 2 skillion, … as the band's description lists them, aliases such as lean_to under their shape; 0 ground; -1 a shape cityforge does not build); and beside it labels.csv: index, id, part_of, roof_shape, class of each index drawn"),
    ).addHelpText(
      'after',
      `
Examples:
  $ cityforge rasterize params.gpkg -o dsm.tif --cell 0.5
  $ cityforge rasterize city.glb -o dsm.tif --crs EPSG:28992 --labels labels.tif
  $ cityforge rasterize city.gpkg -o dsm.tif --noise 0.1 --dropout 0.05 --labels labels.tif
  $ cityforge infer city.gpkg --dsm dsm.tif -o back.gpkg     # the round trip`,
    ),
  async run(args: unknown[], raw: OptionValues, io: CommandIO) {
    const inputs = args[0] as string[];
    const o = raw as RasterizeArgs;
    // (the labels' table beside them: labels.tif → labels.csv)
    const table = o.labels ? labelsTable(o.labels) : undefined;
    refuseOverwritingInputs('rasterize', [o.output, ...(o.labels ? [o.labels, table!] : [])], inputs, raw);
    for (const f of [o.output, o.labels].filter((x): x is string => !!x))
      if (!/\.tiff?$/i.test(f)) throw new UsageError('rasterize', `outputs must be GeoTIFF files (.tif; got ${f})`);
    if (o.labels && path.resolve(o.labels) === path.resolve(o.output)) throw new UsageError('rasterize', '--labels must differ from --output');
    const { AtomicOutput } = await import('../../io/files.js');
    const { rasterizeCity } = await import('../../pipeline/rasterize.js');
    const outs = [new AtomicOutput(o.output, 'rasterize'), ...(o.labels ? [new AtomicOutput(o.labels, 'rasterize'), new AtomicOutput(table!, 'rasterize')] : [])];
    try {
      const r = await rasterizeCity(inputs, {
        ...readOptionsOf(o),
        ...terrainOptionsOf(o),
        cell: o.cell,
        crs: o.crs,
        noise: o.noise,
        dropout: o.dropout,
        seed: o.seed,
        margin: o.margin,
        labels: !!o.labels,
        logger: io.logger,
        progress: io.progress,
      });
      outs[0].commit(r.dsm);
      if (outs[1] && r.labels) outs[1].commit(r.labels);
      if (outs[2] && r.labelTable !== undefined) outs[2].commit(new TextEncoder().encode(r.labelTable));
      io.logger.info(`wrote ${path.resolve(o.output)}${o.labels ? `, ${path.resolve(o.labels)} and its table ${path.resolve(table!)}` : ''}`);
      printSummary(io, r.summary, o.output, o);
    } catch (e) {
      for (const out of outs) out.abort();
      throw e;
    }
  },
};
