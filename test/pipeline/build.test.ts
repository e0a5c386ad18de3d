import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/logger.js';
import { buildGlb } from '../../src/pipeline/build.js';
import { DATA } from '../helpers/fixtures.js';

/** A logger that keeps what it is told to warn of. */
function keeping(): { logger: Logger; warned: string[] } {
  const warned: string[] = [];
  return { logger: { debug() {}, info() {}, warn: (m) => warned.push(m), error() {} }, warned };
}

describe('buildGlb', () => {
  it('glb-too-large-unsaid: a GLB over the size viewers load whole is warned of, pointing to tiles, and counted; one under it is not', async () => {
    const tile = path.join(DATA, 'sf-mvt', '15-5238-12666.mvt');
    const small = keeping();
    const ok = await buildGlb([tile], { logger: small.logger });
    expect(small.warned.filter((m) => /cityforge tiles/.test(m))).toEqual([]);
    // (a million buildings made a 1.4 GB GLB and 6 GB of memory, and nothing said `tiles`)
    const large = keeping();
    const r = await buildGlb([tile], { logger: large.logger, largeGlbBytes: ok.glb.byteLength - 1 });
    expect(large.warned).toContainEqual(expect.stringMatching(/^the GLB is \d+ MB \([\d,]+ buildings\): viewers load a GLB whole, .* `cityforge tiles` streams it/));
    expect(r.summary.runWarnings).toContainEqual(expect.stringMatching(/^the GLB is/));
  });
});
