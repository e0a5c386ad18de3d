import type { Command, OptionValues } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { FacadeMode } from '../../pipeline/options.js';
import { refuseOverwritingInputs, writeBytesOutput, writeGlbOutput, type CommandIO, type CommandSpec } from '../command.js';
import { facadeOption, imageryOptions, imageryOptionsOf, ellipsoidalOption, readOptions, readOptionsOf, terrainOptions, terrainOptionsOf, verbosityOptions, type ImageryArgs, type ReadArgs, type TerrainArgs, type VerbosityArgs } from '../options.js';

/** What commander gives for `cityforge build`. */
interface BuildArgs extends ReadArgs, TerrainArgs, ImageryArgs, VerbosityArgs {
  output: string;
  compress?: boolean;
  facades: FacadeMode;
  tSrs?: string;
}

/** CityJSON outputs by name: a document, or CityJSONSeq. */
const CITYJSON_OUT = /\.city\.json$/i;
const CITYJSONSEQ_OUT = /\.(city\.jsonl|jsonl)$/i;

/** `cityforge build`: footprints → one georeferenced GLB. */
export const buildCommand: CommandSpec = {
  name: 'build',
  inWorker: true,
  outputFiles: (opts) => [opts['output'] as string],
  preload: () => import('../../pipeline/build.js'),
  define: (program: Command) =>
    verbosityOptions(
      facadeOption(imageryOptions(terrainOptions(ellipsoidalOption(
        readOptions(
          program
            .command('build')
            .description('Build buildings from GIS footprints (or a CityJSON city model) into one georeferenced GLB (EXT_mesh_features + EXT_structural_metadata), or into CityJSON 2.0.')
            .argument('<inputs...>', 'vector sources: GeoJSON(Seq), Shapefile, GeoPackage, FlatGeobuf, OSM .osm/.pbf, any OGR source; vector tiles: z-x-y.mvt, a z/x/y folder, .mbtiles, .pmtiles; city models: CityJSON .city.json, CityJSONSeq .city.jsonl (their surfaces kept as they are)')
            .requiredOption('-o, --output <file>', 'output: .glb, or CityJSON 2.0 (.city.json) / CityJSONSeq (.city.jsonl) with semantic surfaces and the parameters as attributes (written to a temporary name, renamed when complete)')
            .option('--t-srs <crs>', 'CityJSON output: its projected CRS (default: the source CRS when it is projected, else the UTM zone of the data)'),
        ),
      )))).option('--compress', 'compress with EXT_meshopt_compression (about 40 % of the bytes; clients need the meshopt decoder)'),
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
  $ cityforge build 3dbag-tile.city.jsonl -o delft.glb                (3DBAG's own LoD 2.2 roofs)
  $ cityforge build vienna.city.json --s-srs EPSG:31256 --lod 2 -o vienna.glb
  $ cityforge build monaco.osm.pbf -o monaco.city.json                (CityJSON 2.0, UTM zone 32N)
  $ cityforge build params.gpkg --t-srs EPSG:2056 -o city.city.jsonl
  $ cityforge build city.gpkg --terrain dem.tif --imagery orthophoto.tif --texture-size 8192 -o city.glb`,
    ),
  async run(args: unknown[], raw: OptionValues, io: CommandIO) {
    const inputs = args[0] as string[];
    const o = raw as BuildArgs;
    refuseOverwritingInputs('build', [o.output], inputs, raw);
    if (CITYJSON_OUT.test(o.output) || CITYJSONSEQ_OUT.test(o.output)) {
      if (o.compress) throw new UsageError('build', '--compress is for GLB outputs; a CityJSON output stores integer vertices under a transform');
      if (o.ellipsoidalHeights) throw new UsageError('build', '--ellipsoidal-heights is for GLB outputs (their frame); a CityJSON output keeps the heights of its CRS');
      const { buildCityJson } = await import('../../pipeline/cityjson.js');
      const seq = CITYJSONSEQ_OUT.test(o.output);
      await writeBytesOutput('build', o.output, io, o, () => buildCityJson(inputs, { ...readOptionsOf(o), ...terrainOptionsOf(o), seq, tSrs: o.tSrs, logger: io.logger, progress: io.progress }));
      return;
    }
    if (o.tSrs) throw new UsageError('build', '--t-srs is for CityJSON outputs (.city.json, .city.jsonl); a GLB is georeferenced by its frame');
    if (!/\.glb$/i.test(o.output)) throw new UsageError('build', `the output must be a .glb, .city.json or .city.jsonl file (got ${o.output})`);
    const { buildGlb } = await import('../../pipeline/build.js');
    await writeGlbOutput('build', o.output, io, o, () => buildGlb(inputs, { ...readOptionsOf(o), ...terrainOptionsOf(o), ...imageryOptionsOf(o), compress: !!o.compress, facades: o.facades, logger: io.logger, progress: io.progress }));
  },
};
