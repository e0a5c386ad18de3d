/**
 * Inverse procedural modelling: from a surface model back to the parameters `build` reads. Pure
 * kernels over typed arrays (no `node:`, no GDAL); `src/pipeline/infer.ts` reads and writes the files.
 */
export { sampleFootprint, samplesInside, selectSamples, terracedShare, groundOf, quantile, forEachCellInside, windowOf, type RoofSamples } from './samples.js';
export { modelField } from './field.js';
export { risingRegions, sunkenRegions, regionSamples, RISING_DEFAULTS, type RisingOptions } from './above.js';
export { robustFit, solve, ROBUST_FIT_DEFAULTS, type RobustFit, type RobustFitOptions } from './fit.js';
export { inferRoof, isRound, bearing, INFER_SHAPES, INFER_ROOF_DEFAULTS, type InferRoofOptions, type InferredRoof, type InferSkip, type RoofSigmas } from './roof.js';
export { rasterizeTriangles, degrade, prng, type RasterWindow } from './rasterize.js';
export { segmentPlanes, planesExplain, planeSamples, joinedPlanes, smoothLabels, roofTopology, modelPlanes, PLANE_DEFAULTS, type PlaneOptions, type RoofPlane, type PlaneSummary, type RoofTopology } from './planes.js';
