import { Option, type Command, type OptionValues } from 'commander';
import { InvalidArgumentError } from 'commander';
import { UsageError } from '../../core/errors.js';
import { INFER_DEFAULTS } from '../../pipeline/options.js';
import { refuseOverwritingInputs, writeBytesOutput, type CommandIO, type CommandSpec } from '../command.js';
import type { DemEncoding } from '../../core/grid.js';
import { count, demTileOptions, maxRasterOption, positive, readOptions, readOptionsOf, upTo, verbosityOptions, type ReadArgs, type VerbosityArgs } from '../options.js';

/** What commander gives for `cityforge infer`. */
interface InferArgs extends ReadArgs, VerbosityArgs {
  output: string;
  dsm: string;
  dtm?: string;
  demZoom?: number;
  demEncoding?: DemEncoding;
  cell?: number;
  zScale: number;
  dtmZScale?: number;
  shapes?: string[];
  minSamples: number;
  minCoverage: number;
  accuracy: number;
  maxRasterMpx: number;
  parts: boolean;
  jobs: number;
}

const SHAPES = INFER_DEFAULTS.shapes;

/** `--shapes a,b,c`: roof shapes from the fitted set. */
const shapeList = (v: string): string[] => {
  const names = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.filter((n) => !SHAPES.includes(n));
  if (!names.length || bad.length) throw new InvalidArgumentError(`unknown shape(s) ${bad.join(', ') || '(none given)'}; choose from ${SHAPES.join(', ')}`);
  return names;
};

/** `cityforge infer`: footprints + a surface model → the S3DB tags `build` reads, with uncertainty. */
export const inferCommand: CommandSpec = {
  name: 'infer',
  inWorker: true,
  outputFiles: (opts) => [opts['output'] as string],
  preload: () => import('../../pipeline/infer.js'),
  define: (program: Command) =>
    verbosityOptions(
      demTileOptions(readOptions(
        program
          .command('infer')
          .description(
            "Inverse procedural modelling: fit each building's roof (shape, height, pitch, direction) to a surface model (DSM) and write the footprints with the S3DB tags `build` reads, plus fit figures and one-sigma uncertainties.",
          )
          .argument('<footprints...>', 'building footprints: any input `build` reads')
          .requiredOption('--dsm <raster|tiles|las>', 'surface model (DSM: roofs included): any GDAL raster, any CRS, elevation raster tiles (Terrarium / Terrain-RGB), or a LiDAR point cloud (.las/.laz: the highest point per cell, noise classes left out)')
          .option('--dtm <raster|tiles|las>', 'terrain model (bare ground): raster, elevation tiles, or a point cloud (.las/.laz: its ground points, class 2, gaps under buildings interpolated); without it, each ground is estimated from the DSM around the building')
          .requiredOption('-o, --output <file>', 'output: .gpkg (GeoPackage), .geojson or .fgb (FlatGeobuf); written to a temporary name, renamed when complete')
          .option('--attribution <text>', "who the data is by (default: what the footprints' sources say; OpenStreetMap for OSM data): a .gpkg keeps it, and build credits it"),
        { heights: false },
      ))
        .addOption(new Option('--cell <m>', "cell size the models are warped to (default: the DSM's; a point cloud's: about two points a cell)").argParser(positive('--cell')))
        .addOption(new Option('--z-scale <factor>', 'multiply raster values by this (e.g. 0.3048 for feet)').argParser(positive('--z-scale')).default(INFER_DEFAULTS.zScale))
        .addOption(new Option('--dtm-z-scale <factor>', "multiply the DTM's values by this instead, when its vertical units differ from the DSM's (default: --z-scale)").argParser(positive('--dtm-z-scale')))
        .addOption(new Option('--shapes <list>', `roof shapes to try, separated by commas (default: ${SHAPES.join(',')}; dome, cone and onion only on round footprints)`).argParser(shapeList))
        .addOption(new Option('--min-samples <n>', 'fewest DSM cells with data a building needs, and fewest its fitted roof must explain (fit:samples; a part found among its roof planes needs 4)').argParser(count('--min-samples')).default(INFER_DEFAULTS.minSamples))
        .addOption(new Option('--min-coverage <share>', 'least share of a footprint with DSM data').argParser(upTo('--min-coverage', 1)).default(INFER_DEFAULTS.minCoverage))
        .addOption(new Option('--accuracy <m>', "the DSM's vertical accuracy, one sigma in metres: added to each height's uncertainty (fit:sigma_*), which the residuals alone understate; a pitched roof rising under 2.5 × this is written flat").argParser(positive('--accuracy')).default(INFER_DEFAULTS.accuracy))
        .addOption(new Option('--jobs <n>', 'processes fitting roofs (same output for any n; pays on large runs where cores scale)').argParser(count('--jobs')).default(INFER_DEFAULTS.jobs))
        .addOption(new Option('--no-parts', 'one roof per building: never split a building into parts (roof planes, levels, towers, a multipolygon\'s other polygons); by default a roof no single shape explains is written as building parts'))
        .addOption(maxRasterOption()),
    ).addHelpText(
      'after',
      `
Output fields: the source attributes; height, min_height, roof:shape, roof:height, roof:angle, roof:direction,
roof:orientation (what build reads); fit:status (fitted, parts, or why not: no-data, too-few-samples,
low-coverage, no-ground, below-ground), fit:rmse (metres, over the cells the roof explains: the robust fit
leaves out what stands off it — trees, chimneys, a neighbour's eave), fit:samples (those cells), fit:coverage,
fit:confidence, fit:runner_up(_confidence),
fit:eave, fit:sigma_* (one sigma of height, eave, roof height, angle, direction), fit:ground,
fit:ground_estimated. A building written as parts (fit:status=parts) has its outline row, whose roof:shape is
the shape of most of its parts' area and fit:parts the number of its parts, then one row per part
(building:part=yes, fit:part its number, 1…fit:parts, the source attributes repeated). build draws the parts
and not the outline: to change such a building, edit its parts. --no-parts writes one roof per building. Heights are metres above each building's ground (fit:ground): the lowest point of the DTM under the
footprint, where build seats the building.

Examples:
  $ cityforge infer footprints.gpkg --dsm dsm.tif --dtm dtm.tif -o params.gpkg
  $ cityforge build params.gpkg --terrain dtm.tif -o city.glb
  $ cityforge infer buildings.fgb --dsm dsm.tif -o params.geojson --json > summary.json`,
    ),
  async run(args: unknown[], raw: OptionValues, io: CommandIO) {
    const inputs = args[0] as string[];
    const o = raw as InferArgs;
    refuseOverwritingInputs('infer', [o.output], inputs, raw);
    if (!/\.(gpkg|geojson|json|fgb)$/i.test(o.output)) throw new UsageError('infer', `the output must be a .gpkg, .geojson or .fgb file (got ${o.output})`);
    const { inferParams } = await import('../../pipeline/infer.js');
    await writeBytesOutput('infer', o.output, io, o, () =>
      inferParams(inputs, o.output, {
        ...readOptionsOf(o),
        dsm: o.dsm,
        dtm: o.dtm,
        cell: o.cell ?? 0,
        zScale: o.zScale,
        ...(o.dtmZScale !== undefined ? { dtmZScale: o.dtmZScale } : {}),
        ...(o.shapes ? { shapes: o.shapes } : {}),
        minSamples: o.minSamples,
        minCoverage: o.minCoverage,
        accuracy: o.accuracy,
        parts: o.parts,
        jobs: o.jobs,
        maxRasterPixels: Math.round(o.maxRasterMpx * 1e6),
        demZoom: o.demZoom,
        demEncoding: o.demEncoding,
        logger: io.logger,
        progress: io.progress,
      }),
    );
  },
};
