import gdal, { linearUnit } from '../ingest/gdal.js';
import { Summary } from '../core/summary.js';
import type { Logger } from '../core/logger.js';
import { UsageError } from '../core/errors.js';
import { writeGeoTiff } from '../export/raster.js';
import { degrade, rasterizeTriangles } from '../inverse/index.js';
import { buildMeshes, ROOF_CLASSES, roofClass } from '../procedural/index.js';
import { prepareCity } from './build.js';
import { IMAGERY_RUN_DEFAULTS, RASTERIZE_DEFAULTS, type RasterizeOptions } from './options.js';
import type { FrameInfo } from '../core/types.js';
import { readGlbTriangles } from '../ingest/glb.js';
import { checkInputFile } from '../ingest/formats.js';

/** What {@link rasterizeCity} returns. */
export interface RasterizeResult {
  /** The surface model GeoTIFF's bytes (Float32, nodata −9999). */
  dsm: Uint8Array;
  /** The label GeoTIFF's bytes (Int32): band 1 the feature's index + 1 (its row in the inputs: a building part has its own; 0: ground), band 2 roof-shape class (see `shapes`). */
  labels?: Uint8Array;
  /** Roof-shape class k + 1 is `shapes[k]`. */
  shapes: readonly string[];
  /**
   * With the labels, what each feature index of band 1 is (CSV: `index,id,part_of,roof_shape,class`, one row per
   * index drawn): the bridge from a label pixel back to its building and attributes.
   */
  labelTable?: string;
  summary: Summary;
  crs: string;
}

/** Fewest cells the median building covers before the raster is said to be too coarse for its buildings. */
const FEW_CELLS = 4;

/**
 * cell-larger-than-the-buildings-unsaid: `--cell 200` wrote a 5 × 5 raster, exit 0, not a word. When half the
 * buildings drawn cover fewer than {@link FEW_CELLS} cells (`owners`: each cell's feature index + 1), a warning.
 */
function warnCoarseCells(owners: Int32Array, vertexIds: Int32Array, cell: number, logger: Logger): void {
  // every building drawn (a vertex of its own), with the cells it covers: none for one between the cells' centres
  const cells = new Map<number, number>();
  for (const b of vertexIds) if (b > 0) cells.set(b, 0);
  for (const b of owners) if (b > 0) cells.set(b, (cells.get(b) ?? 0) + 1);
  const counts = [...cells.values()].sort((a, b) => a - b);
  if (!counts.length) return;
  const median = counts[counts.length >> 1];
  if (median >= FEW_CELLS) return;
  logger.warn(`rasterize: cells of ${cell} are coarse for these buildings: half of them cover ${median === 0 ? 'no cell' : median === 1 ? 'one cell' : `${median} cells`}${median ? ' or fewer' : ''} (roofs are not seen; surface models of 0.25–1 m show them, and infer reads them)`);
}

/** `--crs` as asked, if GDAL knows it and it is projected; else a usage error. */
function checkedCrs(asked: string): string {
  let srs: gdal.SpatialReference;
  try {
    srs = gdal.SpatialReference.fromUserInput(asked);
  } catch {
    throw new UsageError('rasterize', `--crs ${asked}: not a CRS GDAL knows`);
  }
  if (!srs.isProjected()) throw new UsageError('rasterize', `--crs ${asked}: not a projected CRS (cells are in metres)`);
  return asked;
}

/** The CRS a raster is written in: the one asked for, the sources' single projected CRS, else the local frame. */
function rasterCrs(frame: FrameInfo, asked?: string): string {
  if (asked) return checkedCrs(asked);
  const crs = frame.sourceCrs.filter((c) => c !== 'LOCAL');
  if (crs.length === 1) {
    try {
      if (gdal.SpatialReference.fromUserInput(crs[0]).isProjected()) return crs[0];
    } catch {
      /* the frame then */
    }
  }
  return frame.proj;
}

/**
 * The forward model as a data generator: build the city (footprints + tags, as `build` does; with
 * `terrain` seated on it) — or read a GLB cityforge built (georeferenced; its ground included) — and render it into a surface model — each cell the highest surface over its
 * centre — with optional noise, dropout and label rasters: a labelled synthetic dataset, and the
 * round-trip harness of `infer`.
 *
 * @example
 * ```ts
 * const { dsm } = await rasterizeCity(['city.gpkg'], { cell: 0.5, noise: 0.1, dropout: 0.05 });
 * ```
 */
export async function rasterizeCity(inputs: string[], options: Partial<RasterizeOptions> = {}): Promise<RasterizeResult> {
  const o: RasterizeOptions = { ...RASTERIZE_DEFAULTS, ...options };
  const summary = new Summary(o.logger);
  summary.meshes = false;
  o.logger = summary.logger;
  const t0 = performance.now();
  const glbs = inputs.filter((i) => /\.glb$/i.test(i));
  if (inputs.some((i) => /\.gltf$/i.test(i))) throw new UsageError('rasterize', `${inputs.find((i) => /\.gltf$/i.test(i))}: give the model as a .glb (cityforge's own, georeferenced)`);
  if (glbs.length && inputs.length > 1) throw new UsageError('rasterize', 'a GLB is rasterized on its own: give one .glb, or footprints (any number)');
  // (a --crs that will not do is refused before anything is read)
  if (o.crs) checkedCrs(o.crs);
  // the triangles: a GLB's as they are, or the city built from footprints
  let frame: FrameInfo, positions: Float64Array | Float32Array, indices: Uint32Array, vertexIds: Int32Array, buildings: number;
  let ground: { positions: Float64Array | Float32Array; indices: Uint32Array } | null;
  let shapeOf: (building: number) => string | null;
  // a feature index's id and building (its outline's id, for a part)
  let idOf: (building: number) => string, partOfOf: (building: number) => string;
  if (glbs.length) {
    checkInputFile(glbs[0]);
    const t = await readGlbTriangles(glbs[0]);
    summary.inputs.push(glbs[0]);
    summary.featuresRead = t.buildings;
    ({ frame, positions, indices, ground, buildings } = t);
    // (rasterize-counted-parts-as-buildings: a GLB's table rows are buildings and parts; build's summary counts the parts apart)
    summary.partsWritten = t.parts;
    vertexIds = Int32Array.from(t.featureIds, (f) => f + 1);
    // (the table's roof_shape is empty where none was tagged, or a city model's roof: built flat, as from footprints)
    shapeOf = (b) => (t.roofShapes ? t.roofShapes[b] || 'flat' : null);
    idOf = (b) => t.ids?.[b] ?? '';
    partOfOf = (b) => t.partOf?.[b] ?? '';
    if (o.terrain) o.logger.warn(`${glbs[0]}: --terrain is not used with a GLB (its own ground is rasterized)`);
    o.logger.info(`${glbs[0]}: ${buildings} buildings and building parts, ${indices.length / 3} building triangles${ground ? ` and ${ground.indices.length / 3} ground triangles` : ''}`);
  } else {
    const city = await prepareCity(inputs, { ...o, ...IMAGERY_RUN_DEFAULTS, compress: false, facades: 'none' }, summary);
    const mesh = buildMeshes(city.batch, { ground: city.ground }, summary, o.logger);
    frame = city.batch.frame;
    ({ positions, indices } = mesh);
    // (part-labelled-as-its-building: a part's triangles carry its building's feature id, as the GLB's property
    // table has it; the labels give each part its own index, from its vertices' range)
    vertexIds = new Int32Array(positions.length / 3);
    for (let f = 0; f + 1 < mesh.vertexOffsets.length; f++) vertexIds.fill(f + 1, mesh.vertexOffsets[f], mesh.vertexOffsets[f + 1]);
    ground = city.terrain ?? null;
    buildings = city.batch.params.length;
    // (counts-disagreed: build's summary counts the parts apart; so does this)
    summary.partsWritten = city.batch.params.filter((p) => p.partOf).length;
    shapeOf = (b) => city.batch.params[b]?.roof.shape ?? null;
    idOf = (b) => city.batch.params[b]?.id ?? '';
    partOfOf = (b) => city.batch.params[b]?.partOf ?? '';
  }
  const crs = rasterCrs(frame, o.crs);
  const t1 = performance.now();
  // vertices into the output CRS (x, y), heights as built
  const toCrs = crs === frame.proj ? null : new gdal.CoordinateTransformation(gdal.SpatialReference.fromProj4(frame.proj), gdal.SpatialReference.fromUserInput(crs));
  // mercator-cells-were-not-metres: --cell is in the CRS's units; say so where those are not metres on the ground
  if (toCrs) {
    const a = toCrs.transformPoint(0, 0), b = toCrs.transformPoint(100, 0);
    const k = Math.hypot(b.x - a.x, b.y - a.y) / 100;
    if (Math.abs(k - 1) > 0.02) o.logger.warn(`rasterize: ${crs}'s x and y are not metres on the ground here (×${k.toFixed(2)}): a cell of ${o.cell} is ${(o.cell / k).toFixed(2)} m; --crs with a UTM zone or a national grid keeps cells in metres`);
  }
  const place = (p: Float32Array | Float64Array): Float64Array => {
    const out = new Float64Array(p.length);
    for (let v = 0; v < p.length; v += 3) {
      if (toCrs) {
        const q = toCrs.transformPoint(p[v], p[v + 1]);
        out[v] = q.x;
        out[v + 1] = q.y;
      } else {
        out[v] = p[v];
        out[v + 1] = p[v + 1];
      }
      out[v + 2] = p[v + 2];
    }
    return out;
  };
  const P = place(positions);
  if (P.length === 0) throw new UsageError('rasterize', `${inputs.join(', ')}: no buildings to rasterize`);
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let v = 0; v < P.length; v += 3) {
    minX = Math.min(minX, P[v]);
    maxX = Math.max(maxX, P[v]);
    minY = Math.min(minY, P[v + 1]);
    maxY = Math.max(maxY, P[v + 1]);
  }
  const x0 = Math.floor((minX - o.margin) / o.cell) * o.cell, y0 = Math.floor((minY - o.margin) / o.cell) * o.cell;
  const nx = Math.ceil((maxX + o.margin - x0) / o.cell), ny = Math.ceil((maxY + o.margin - y0) / o.cell);
  if (nx * ny > o.maxRasterPixels) throw new UsageError('rasterize', `the raster would have ${nx} × ${ny} cells, more than the limit of ${(o.maxRasterPixels / 1e6).toFixed(0)} million (--max-raster-mpx, or a larger --cell)`);
  const win = { x0, y0, cell: o.cell, nx, ny };
  const heights = new Float32Array(nx * ny).fill(-Infinity);
  if (ground) rasterizeTriangles(place(ground.positions), ground.indices, win, heights);
  const owners = new Int32Array(nx * ny);
  rasterizeTriangles(P, indices, win, heights, vertexIds, owners);
  const labels = o.labels ? owners : undefined;
  warnCoarseCells(owners, vertexIds, o.cell, o.logger);
  let empty = 0;
  for (let k = 0; k < heights.length; k++)
    if (heights[k] === -Infinity) {
      heights[k] = ground ? NaN : 0;
      empty++;
    }
  // ground-0-under-a-city-model: with no ground, the cells between buildings are 0; buildings that stand
  // well above it (a city model's own heights) then rise from steps of tens of metres: said
  if (!ground && empty) {
    let low = Infinity;
    for (let v = 2; v < positions.length; v += 3) low = Math.min(low, positions[v]);
    if (low > 1) o.logger.warn(`rasterize: the model has no ground, and its buildings stand ${low.toFixed(1)} m and more above z = 0 (a city model's own heights?): the ${empty} cells between them are 0; a ground comes from --terrain <DTM> (with footprints, or building the GLB with it)`);
  }
  if (o.noise > 0 || o.dropout > 0) degrade(heights, o.noise, o.dropout, o.seed);
  summary.time('rasterize', (performance.now() - t1) / 1000);
  o.logger.info(`rasterize: ${nx} × ${ny} cells of ${o.cell} ${crs.startsWith('+proj=ortho') ? 'm' : unitOf(crs)} in ${crs.startsWith('+proj=ortho') ? 'the local frame' : crs}${ground && empty ? `; ${empty} cells outside the terrain (no data)` : ''}`);
  const dsm = writeGeoTiff({ x0, y0, cell: o.cell, nx, ny, crs, bands: [heights], names: ['height'] });
  let labelBytes: Uint8Array | undefined;
  let labelTable: string | undefined;
  if (labels) {
    const shapes = new Int32Array(nx * ny);
    // (shape-aliases-classed-apart: lean_to and skillion, half_hipped and half-hipped had classes of their own)
    const classOf = new Map<number, number>();
    for (let k = 0; k < labels.length; k++) {
      const b = labels[k];
      if (b <= 0) continue;
      let c = classOf.get(b);
      if (c === undefined) classOf.set(b, (c = roofClass(shapeOf(b - 1))));
      shapes[k] = c;
    }
    // (label-index-unexplained: a pixel's index led back to its building only by re-reading the inputs in
    // cityforge's order; the table says it)
    const csv = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    labelTable = 'index,id,part_of,roof_shape,class\n' + [...classOf.keys()].sort((a, b) => a - b).map((b) => [String(b), csv(idOf(b - 1)), csv(partOfOf(b - 1)), csv(shapeOf(b - 1) ?? ''), String(classOf.get(b))].join(',') + '\n').join('');
    labelBytes = writeGeoTiff({ x0, y0, cell: o.cell, nx, ny, crs, bands: [labels, shapes], names: [`feature (index + 1; ${glbs.length ? "the GLB's property-table row, a building's parts under its row" : 'a building part its own'}; 0 ground)`, `roof shape (k + 1: ${ROOF_CLASSES.join(',')}; 0 ground; -1 a shape cityforge does not build)`] });
  }
  summary.buildingsWritten = buildings;
  summary.bytes = dsm.byteLength + (labelBytes?.byteLength ?? 0);
  summary.time('total', (performance.now() - t0) / 1000);
  return { dsm, labels: labelBytes, labelTable, shapes: ROOF_CLASSES, summary, crs };
}

/** The unit of a projected CRS's x and y, as a short word ('m', 'US survey foot'). */
function unitOf(crs: string): string {
  try {
    const u = linearUnit(gdal.SpatialReference.fromUserInput(crs));
    return u.isMetre ? 'm' : u.name;
  } catch {
    return 'units';
  }
}
