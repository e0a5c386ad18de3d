import { Growable } from './growable.js';
import type { BuildingParams, FeatureBatch, FlatPolygons, FrameInfo, KeptSurfaces } from './types.js';

/** Polygons of one feature as flat arrays (the shape of {@link FlatPolygons}, any array type). */
export interface PolygonsLike {
  coords: ArrayLike<number>;
  ringOffsets: ArrayLike<number>;
  polygonOffsets: ArrayLike<number>;
}

/**
 * Appends features (cleaned polygons + parameters) into one columnar {@link FeatureBatch}: what the
 * in-memory ingest, the streamed store's reader and the fixtures all assemble with.
 */
export class BatchBuilder {
  private readonly positions = new Growable(Float64Array, 1 << 16);
  private readonly ringOffsets = new Growable(Uint32Array, 1 << 12);
  private readonly polygonOffsets = new Growable(Uint32Array, 1 << 12);
  private readonly featureOffsets = new Growable(Uint32Array, 1 << 12);
  /** The parameters added so far, in order. */
  readonly params: BuildingParams[] = [];
  /** Each feature's kept surfaces (null: none), while any has some. */
  private surfaces: (KeptSurfaces | null)[] | null = null;

  constructor() {
    this.ringOffsets.push(0);
    this.polygonOffsets.push(0);
    this.featureOffsets.push(0);
  }

  /** Append one feature. */
  add(polygons: PolygonsLike | FlatPolygons, params: BuildingParams, surfaces: KeptSurfaces | null = null): void {
    if (surfaces && !this.surfaces) this.surfaces = this.params.map(() => null);
    this.surfaces?.push(surfaces);
    const v0 = this.positions.length / 2;
    const ringBase = this.ringOffsets.length - 1;
    this.positions.reserve(polygons.coords.length);
    for (let i = 0; i < polygons.coords.length; i++) this.positions.push(polygons.coords[i]);
    for (let r = 1; r < polygons.ringOffsets.length; r++) this.ringOffsets.push(v0 + polygons.ringOffsets[r]);
    for (let k = 1; k < polygons.polygonOffsets.length; k++) this.polygonOffsets.push(ringBase + polygons.polygonOffsets[k]);
    this.featureOffsets.push(this.polygonOffsets.length - 1);
    this.params.push(params);
  }

  /** The batch (views of the builder's arrays: add nothing afterwards). */
  toBatch(frame: FrameInfo): FeatureBatch {
    return {
      frame,
      positions: this.positions.toArray(),
      ringOffsets: this.ringOffsets.toArray(),
      polygonOffsets: this.polygonOffsets.toArray(),
      featureOffsets: this.featureOffsets.toArray(),
      params: this.params,
      ...(this.surfaces ? { surfaces: this.surfaces } : {}),
    };
  }
}

/** Polygons → rings → [x, y] points as flat arrays (rings as given), offset by (ox, oy). */
export function flatPolygons(polygons: number[][][][], ox = 0, oy = 0): FlatPolygons {
  const coords: number[] = [];
  const ringOffsets = [0];
  const polygonOffsets = [0];
  for (const poly of polygons) {
    for (const ring of poly) {
      for (const [x, y] of ring) coords.push(x + ox, y + oy);
      ringOffsets.push(coords.length / 2);
    }
    polygonOffsets.push(ringOffsets.length - 1);
  }
  return { coords: Float64Array.from(coords), ringOffsets, polygonOffsets };
}

/** A batch of no features (a terrain-only file). */
export function emptyBatch(frame: FrameInfo): FeatureBatch {
  return { frame, positions: new Float64Array(0), ringOffsets: new Uint32Array([0]), polygonOffsets: new Uint32Array([0]), featureOffsets: new Uint32Array([0]), params: [] };
}
