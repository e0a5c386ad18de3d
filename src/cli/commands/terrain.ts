import { Option, type Command, type OptionValues } from 'commander';
import { UsageError } from '../../core/errors.js';
import { TERRAIN_GLB_DEFAULTS } from '../../pipeline/options.js';
import { refuseOverwritingInputs, writeGlbOutput, type CommandIO, type CommandSpec } from '../command.js';
import type { DemEncoding } from '../../core/grid.js';
import { demTileOptions, maxRasterOption, positive, terrainBandOption, verbosityOptions, type VerbosityArgs } from '../options.js';

/** What commander gives for `cityforge terrain`. */
interface TerrainCommandArgs extends VerbosityArgs {
  output: string;
  terrainError: number;
  terrainResolution?: number;
  zScale: number;
  terrainBand?: number;
  maxRasterMpx: number;
  demZoom?: number;
  demEncoding?: DemEncoding;
}

/** `cityforge terrain`: a DEM alone → a terrain GLB. */
export const terrainCommand: CommandSpec = {
  name: 'terrain',
  inWorker: true,
  outputFiles: (opts) => [opts['output'] as string],
  preload: () => import('../../pipeline/terrain.js'),
  define: (program: Command) =>
    verbosityOptions(
      demTileOptions(program
        .command('terrain')
        .description('Build a terrain mesh alone from a DEM: an adaptive (RTIN) triangulation with skirts, in a frame centred on the raster.')
        .argument('<raster>', 'DEM: any GDAL raster (GeoTIFF, VRT, .hgt, …) in any CRS, or elevation raster tiles (Terrarium / Terrain-RGB: z/x/y folder, z-x-y.png, MBTiles, PMTiles)')
        .requiredOption('-o, --output <file.glb>', 'output GLB (written to a temporary name, renamed when complete)')
        .addOption(new Option('--terrain-error <m>', 'largest vertical error of the mesh').argParser(positive('--terrain-error')).default(TERRAIN_GLB_DEFAULTS.terrainError))
        .addOption(new Option('--terrain-resolution <m>', "grid spacing (default: about the raster's)").argParser(positive('--terrain-resolution')))
        .addOption(new Option('--z-scale <factor>', 'multiply raster values by this').argParser(positive('--z-scale')).default(TERRAIN_GLB_DEFAULTS.zScale))
        .addOption(terrainBandOption())
        .addOption(maxRasterOption())),
    ).addHelpText('after', `\nExamples:\n  $ cityforge terrain data/sf-terrain-3857.tif --terrain-error 0.5 -o out/terrain.glb\n  $ cityforge terrain terrarium-tiles/ --dem-zoom 12 -o out/terrain.glb`),
  async run(args: unknown[], raw: OptionValues, io: CommandIO) {
    const raster = args[0] as string;
    const o = raw as TerrainCommandArgs;
    refuseOverwritingInputs('terrain', [o.output], [raster], raw);
    if (!/\.glb$/i.test(o.output)) throw new UsageError('terrain', `the output must be a .glb file (got ${o.output})`);
    const { buildTerrainGlb } = await import('../../pipeline/terrain.js');
    await writeGlbOutput('terrain', o.output, io, o, () =>
      buildTerrainGlb(raster, { terrainError: o.terrainError, terrainResolution: o.terrainResolution ?? 0, zScale: o.zScale, terrainBand: o.terrainBand, maxRasterPixels: Math.round(o.maxRasterMpx * 1e6), demZoom: o.demZoom, demEncoding: o.demEncoding, logger: io.logger, progress: io.progress }),
    );
  },
};
