import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Summary } from '../../src/core/summary.js';
import type { FeatureBatch } from '../../src/core/types.js';
import type { Logger } from '../../src/core/logger.js';
import { ingest } from '../../src/ingest/index.js';
import { buildMeshes } from '../../src/procedural/index.js';
import { featurePolygons, type Footprint } from '../../src/procedural/footprint.js';
import { facesPlanar, straightSkeleton, tilesFootprint, type StraightSkeleton } from '../../src/procedural/skeleton.js';
import { wavefrontSkeleton } from '../../src/procedural/wavefront.js';
import { DATA } from '../helpers/fixtures.js';

/**
 * Issue 16's corpus: every footprint of the sample city (data/sf-mvt, 13,148 buildings) through the
 * straight skeleton and the skeleton roof shapes. Before cityforge's own kernel the library's skeleton
 * made hipped fall back on 25 of them, gabled on 60, mansard on 25, gambrel on 61; and where it
 * succeeded, its nodes sat up to centimetres off their faces' planes.
 */
const quiet = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;
let batch: FeatureBatch;

beforeAll(async () => {
  batch = await ingest([path.join(DATA, 'sf-mvt')], {}, quiet, new Summary(quiet));
}, 120_000);

/** The next vertex of each vertex in its ring. */
function nextInRing(fp: Footprint): Int32Array {
  const n = fp.coords.length / 2;
  const next = new Int32Array(n);
  for (let r = 0; r + 1 < fp.ringStarts.length; r++)
    for (let i = fp.ringStarts[r]; i < fp.ringStarts[r + 1]; i++) next[i] = i + 1 < fp.ringStarts[r + 1] ? i + 1 : fp.ringStarts[r];
  return next;
}

/** Largest gap between a node's distance and its distance from the line of each face it is on (0: every face planar). */
function planarityError(fp: Footprint, sk: StraightSkeleton): number {
  const c = fp.coords;
  const next = nextInRing(fp);
  let worst = 0;
  sk.faces.forEach((face, e) => {
    const j = next[e];
    const dx = c[2 * j] - c[2 * e], dy = c[2 * j + 1] - c[2 * e + 1];
    const L = Math.hypot(dx, dy);
    for (const v of face) worst = Math.max(worst, Math.abs(((sk.x[v] - c[2 * e]) * -dy + (sk.y[v] - c[2 * e + 1]) * dx) / L - sk.d[v]));
  });
  return worst;
}

describe('skeleton corpus: every SF footprint (issue 16)', () => {
  it('skeleton-nodes-off-their-planes: the wavefront kernel closes on all but a handful, and every skeleton it keeps tiles its footprint (1e-9) with every face planar (0.1 mm); what it cannot close, straightSkeleton hands on', () => {
    let polygons = 0, open = 0, crossed = 0, worst = 0;
    for (let f = 0; f < batch.params.length; f++)
      for (const fp of featurePolygons(batch, f)) {
        polygons++;
        const sk = wavefrontSkeleton(fp);
        if (!sk || !tilesFootprint(fp, sk, 1e-9)) {
          open++;
          continue;
        }
        // tiles, but a missed event left faces crossing: straightSkeleton rejects it (facesPlanar)
        if (!facesPlanar(fp, sk, 1e-4)) {
          crossed++;
          continue;
        }
        worst = Math.max(worst, planarityError(fp, sk));
      }
    expect(polygons).toBeGreaterThan(13_000);
    // (a spike sharper than 0.001° zips at once: 15/5238/12667#1228's skeleton is 0.015 mm off)
    expect(worst).toBeLessThan(1e-4);
    // slivers and self-touching outlines (the library fails on most of them too), and two it gets wrong
    expect(open).toBeLessThanOrEqual(6);
    expect(crossed).toBeLessThanOrEqual(2);
  });

  it.each(['hipped', 'gabled', 'mansard', 'gambrel'])('roof-fallbacks-on-sf: every footprint %s never falls back', (shape) => {
    for (const p of batch.params) p.roof = { ...p.roof, shape, height: 3, angle: null, direction: null, orientation: null };
    const fellBack: string[] = [];
    const logger = { ...quiet, debug: (m: string) => void (/^warning \(roof:fallback:/.test(m) && fellBack.push(m)) } as unknown as Logger;
    const summary = new Summary(logger);
    buildMeshes(batch, {}, summary);
    const first = [...new Set(fellBack.filter((m) => m.includes(`roof:fallback:${shape}->`)).map((m) => m.replace(/^.* feature /, '')))].sort();
    // the last two it listed: 15/5237/12666#763, a courtyard touching its outline at a point (hole-touched-the-
    // outline: the ingest moves that hole vertex 2 cm into the courtyard), and 15/5238/12667#1228, where two
    // nearly antiparallel wavefront edges met and their vertex ran off to 98 km (spike-ran-off: it zips)
    expect(first).toEqual([]);
  });
});

describe('wavefront kernel: the degenerate events real footprints produce', () => {
  const fp = (...rings: number[][]): Footprint => {
    const starts = [0];
    for (const r of rings) starts.push(starts[starts.length - 1] + r.length / 2);
    return { coords: Float64Array.from(rings.flat()), ringStarts: Uint32Array.from(starts) };
  };
  const exact = (f: Footprint) => {
    const sk = wavefrontSkeleton(f);
    expect(sk).not.toBeNull();
    expect(tilesFootprint(f, sk!, 1e-12)).toBe(true);
    expect(planarityError(f, sk!)).toBeLessThan(1e-9);
    return sk!;
  };
  it('a rectangle (opposite walls meeting all along: a level ridge between two nodes)', () => {
    const sk = exact(fp([0, 0, 10, 0, 10, 6, 0, 6]));
    expect(sk.maxDistance).toBeCloseTo(3, 12);
    expect(sk.x.length).toBe(6);
    expect([sk.x[4], sk.y[4], sk.x[5], sk.y[5]].map((v) => Math.round(v * 1e9) / 1e9).sort()).toEqual([3, 3, 3, 7].sort());
  });
  it('a square (four edge events at one instant, one apex)', () => {
    const sk = exact(fp([0, 0, 4, 0, 4, 4, 0, 4]));
    expect(sk.x.length).toBe(5);
    expect(sk.d[4]).toBeCloseTo(2, 12);
  });
  it('a vertex in the middle of a straight wall (collinear edges: the arc between their faces is perpendicular to the wall)', () => {
    const sk = exact(fp([0, 0, 4, 0, 10, 0, 10, 6, 0, 6]));
    const shared = sk.faces[0].filter((v) => sk.faces[1].includes(v));
    expect(shared.length).toBe(2); // the wall vertex and the arc's inner end
    for (const v of shared) expect(sk.x[v]).toBeCloseTo(4, 12);
    expect(sk.maxDistance).toBeCloseTo(3, 12);
  });
  it('a plus-shaped plan (reflex vertices meeting pairwise: vertex events) and an L', () => {
    const plus = exact(fp([4, 0, 6, 0, 6, 4, 10, 4, 10, 6, 6, 6, 6, 10, 4, 10, 4, 6, 0, 6, 0, 4, 4, 4]));
    expect(plus.maxDistance).toBeCloseTo(1, 9); // half an arm's width
    exact(fp([0, 0, 10, 0, 10, 4, 4, 4, 4, 10, 0, 10]));
  });
  it('a courtyard (a hole: a split onto another loop joins the loops)', () => {
    const sk = exact(fp([0, 0, 20, 0, 20, 20, 0, 20], [5, 5, 5, 15, 15, 15, 15, 5]));
    expect(sk.maxDistance).toBeCloseTo(2.5, 9);
  });
  it('moved 4,000 km and turned: the same skeleton (run in a frame centred on the footprint)', () => {
    const base = [0, 0, 10, 0, 10, 4, 4, 4, 4, 10, 0, 10];
    const ref = exact(fp(base)).maxDistance;
    for (const [dx, dy, turn] of [[250_000, -4_000_000, 0], [-3_000, 9_000, 2.5], [0, 0, 1]]) {
      const c = Math.cos(turn), s = Math.sin(turn);
      const moved: number[] = [];
      for (let i = 0; i < base.length; i += 2) moved.push(base[i] * c - base[i + 1] * s + dx, base[i] * s + base[i + 1] * c + dy);
      const sk = wavefrontSkeleton(fp(moved));
      expect(sk).not.toBeNull();
      expect(Math.abs(sk!.maxDistance - ref)).toBeLessThan(1e-8);
      expect(tilesFootprint(fp(moved), sk!, 1e-9)).toBe(true);
    }
  });
});

describe('skeleton properties on random polygons (star-shaped, half of them with a courtyard)', () => {
  // a seeded generator: the same 500 polygons every run
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  /** n vertices at sorted random angles round (cx, cy), radii r0 … r1: simple (star-shaped); clockwise for a hole. */
  const star = (n: number, cx: number, cy: number, r0: number, r1: number, clockwise: boolean): number[][] => {
    const pts = Array.from({ length: n }, () => rnd() * 2 * Math.PI).sort((a, b) => a - b).map((t) => {
      const r = r0 + (r1 - r0) * rnd();
      return [cx + r * Math.cos(t), cy + r * Math.sin(t)];
    });
    return clockwise ? pts.reverse() : pts;
  };
  const crosses = (a: number[], b: number[], c: number[], d: number[]) => {
    const o = (p: number[], q: number[], r: number[]) => Math.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]));
    return o(a, b, c) !== o(a, b, d) && o(c, d, a) !== o(c, d, b);
  };
  const inside = (p: number[], ring: number[][]) => {
    let c = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++)
      if (ring[i][1] > p[1] !== ring[j][1] > p[1] && p[0] < ((ring[j][0] - ring[i][0]) * (p[1] - ring[i][1])) / (ring[j][1] - ring[i][1]) + ring[i][0]) c = !c;
    return c;
  };
  const polygons: Footprint[] = [];
  while (polygons.length < 500) {
    const rings = [star(4 + Math.floor(rnd() * 28), 0, 0, 10, 30, false)];
    if (polygons.length % 2) rings.push(star(3 + Math.floor(rnd() * 8), (rnd() - 0.5) * 4, (rnd() - 0.5) * 4, 2, 6, true));
    const edges = (r: number[][]) => r.map((p, i) => [p, r[(i + 1) % r.length]]);
    // a courtyard crossing the outline is no polygon: drawn again
    if (rings.length > 1 && (!inside(rings[1][0], rings[0]) || edges(rings[0]).some(([a, b]) => edges(rings[1]).some(([c, d]) => crosses(a, b, c, d))))) continue;
    const starts = [0];
    for (const r of rings) starts.push(starts[starts.length - 1] + r.length);
    polygons.push({ coords: Float64Array.from(rings.flat(2)), ringStarts: Uint32Array.from(starts) });
  }

  it('whatever straightSkeleton returns tiles the polygon and has planar faces (never a wrong roof); the own kernel is exact on at least 95 %', () => {
    let exact = 0, none = 0;
    for (const fp of polygons) {
      const own = wavefrontSkeleton(fp);
      if (own && tilesFootprint(fp, own, 1e-9) && facesPlanar(fp, own, 1e-4)) exact++;
      const sk = straightSkeleton(fp);
      if (!sk) {
        none++; // the roof builder falls back (counted in a run's summary)
        continue;
      }
      expect(tilesFootprint(fp, sk, 1e-3)).toBe(true);
      // a face's nodes at their distance from its wall: its slope is the roof's on every edge
      expect(planarityError(fp, sk)).toBeLessThan(sk === own ? 1e-4 : 1e-2);
    }
    // spiky random stars are harder than footprints (SF: 13,150 of 13,154): on this seed the kernel is exact on
    // 484 of 500, and on the other 16 the library fails too (no skeleton: the roof falls back)
    expect(exact).toBeGreaterThanOrEqual(484);
    expect(none).toBeLessThanOrEqual(16);
  });
});

describe('part-fell-back-to-flat-off-the-origin', () => {
  it('a Vienna part 180 m from the frame\'s origin, walls collinear within 0.2 mm: the kernel alone leaves it open, the skeleton snapped to 0.1 mm closes it', () => {
    // (in a frame centred near it the same part closed; here its roof fell gabled → hipped → pyramidal → flat)
    const coords = Float64Array.from([-182.1149104365467, -201.50284675549585, -182.1150533980164, -207.50284676589084, -182.17325439414992, -207.5028453796617, -182.1744951082822, -207.6953233023031, -183.61505821616458, -207.70495021117625, -183.624711687616, -209.0350756392941, -187.43469930083012, -209.0644408855072, -187.4054073337315, -213.3144264046208, -183.60542134112032, -213.29505944464228, -183.59680681215548, -214.50281147335625, -182.1152201868146, -214.5028467785643, -182.115363147952, -220.5028467893998, -169.127683515168, -220.50315625625285, -169.14613358891532, -217.17745018905103, -169.1152838836042, -217.1772575714962, -169.11527973554723, -217.00315654651035, -169.61527973582614, -217.00314463168846, -169.6152559090545, -216.0031446290723, -169.1152559083538, -216.0031565428396, -169.1149104182013, -201.50315651555678]);
    const fp: Footprint = { coords, ringStarts: Uint32Array.of(0, coords.length / 2) };
    const own = wavefrontSkeleton(fp);
    expect(!!own && tilesFootprint(fp, own, 1e-9) && facesPlanar(fp, own, 1e-4)).toBe(false);
    const sk = straightSkeleton(fp);
    expect(sk).not.toBeNull();
    expect(tilesFootprint(fp, sk!, 1e-6)).toBe(true);
    expect(facesPlanar(fp, sk!, 1e-2)).toBe(true);
    // the footprint's own vertices, as given (the walls meet the roof exactly)
    for (let i = 0; i < coords.length / 2; i++) expect([sk!.x[i], sk!.y[i]]).toEqual([coords[2 * i], coords[2 * i + 1]]);
  });
});
