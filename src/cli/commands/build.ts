import type { Command, OptionValues } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { FacadeMode } from '../../pipeline/options.js';
import { writeGlbOutput, type CommandIO, type CommandSpec } from '../command.js';
import { facadeOption, imageryOptions, imageryOptionsOf, readOptions, readOptionsOf, terrainOptions, terrainOptionsOf, verbosityOptions, type ImageryArgs, type ReadArgs, type TerrainArgs, type VerbosityArgs } from '../options.js';

/** What commander gives for `cityforge build`. */
interface BuildArgs extends ReadArgs, TerrainArgs, ImageryArgs, VerbosityArgs {
  output: string;
  compress?: boolean;
  facades: FacadeMode;
}

/** `cityforge build`: footprints → one georeferenced GLB. */
export const buildCommand: CommandSpec = {
  name: 'build',
  inWorker: true,
  define: (program: Command) =>
    verbosityOptions(
      facadeOption(imageryOptions(terrainOptions(
        readOptions(
          program
            .command('build')
            .description('Build buildings from GIS footprints into one georeferenced GLB (EXT_mesh_features + EXT_structural_metadata).')
            .argument('<inputs...>', 'vector sources: GeoJSON(Seq), Shapefile, GeoPackage, FlatGeobuf, OSM .osm/.pbf, any OGR source; vector tiles: z-x-y.mvt, a z/x/y folder, .mbtiles, .pmtiles')
            .requiredOption('-o, --output <file.glb>', 'output GLB (written to a temporary name, renamed when complete)'),
        ),
      ))).option('--compress', 'compress with EXT_meshopt_compression (about 40 % of the bytes; clients need the meshopt decoder)'),
    ).addHelpText(
      'after',
      `
Examples:
  $ cityforge build data/sf-mvt -o out/sf.glb
  $ cityforge build monaco.osm.pbf -o monaco.glb --json > summary.json
  $ cityforge build parcels.shp --s-srs EPSG:2056 --where "height > 3" -o city.glb
  $ cityforge build tiles.mbtiles --layer building -o city.glb -q
  $ cityforge build data/sf-mvt --terrain data/sf-terrain-3857.tif --terrain-error 0.5 -o sf.glb
  $ cityforge build data/sf-mvt --terrain terrarium-tiles/ --imagery osm-tiles/ -o sf.glb
  $ cityforge build monaco.osm.pbf --facades texture -o monaco.glb
  $ cityforge build city.gpkg --terrain dem.tif --imagery orthophoto.tif --texture-size 8192 -o city.glb`,
    ),
  async run(args: unknown[], raw: OptionValues, io: CommandIO) {
    const inputs = args[0] as string[];
    const o = raw as BuildArgs;
    if (!/\.glb$/i.test(o.output)) throw new UsageError('build', `the output must be a .glb file (got ${o.output})`);
    const { buildGlb } = await import('../../pipeline/build.js');
    await writeGlbOutput('build', o.output, io, o, () => buildGlb(inputs, { ...readOptionsOf(o), ...terrainOptionsOf(o), ...imageryOptionsOf(o), compress: !!o.compress, facades: o.facades, logger: io.logger, progress: io.progress }));
  },
};
