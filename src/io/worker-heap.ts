import type { ResourceLimits } from 'node:worker_threads';

/**
 * The heap limits of cityforge's worker threads (the job thread of every command, and the tile
 * workers): a young generation of 96 MB, twice V8's default. Meshing and encoding make many
 * short-lived objects, and with the default the scavenger ran so often that it took 11–12 % of a tile
 * worker's time; with 96 MB `tiles` on 210,000 buildings took 6–8 % less time, the read 10–20 % less,
 * for about 90 MB more resident memory (bench/RESULTS.md, issue 16).
 */
export const WORKER_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 96 };
