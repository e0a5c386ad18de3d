/**
 * Contracts between the pipeline stages: ingest → {@link FeatureBatch} → procedural → {@link MeshBatch} → export.
 * Plain data only, so every stage can run in a worker or a browser.
 */

/** The local east-north-up frame every geometry is expressed in (metres). */
export interface FrameInfo {
  /** Origin longitude, degrees (WGS84). */
  lon: number;
  /** Origin latitude, degrees (WGS84). */
  lat: number;
  /** Origin ellipsoidal height, metres. */
  height: number;
  /**
   * The PROJ definition of the frame's horizontal CRS: an ellipsoidal orthographic projection
   * centred on the origin, whose x/y are exactly the east/north coordinates on the tangent plane.
   */
  proj: string;
  /** Column-major 4×4 matrix from the frame (x east, y north, z up) to ECEF (EPSG:4978). */
  enuToEcef: number[];
  /** The source CRSs the frame was made from, e.g. `EPSG:3857`. */
  sourceCrs: string[];
}

/** Roof parameters (S3DB tagging), parsed once at ingest. */
export interface RoofParams {
  /** `roof:shape`, normalised to lower case; `flat` when absent. */
  shape: string;
  /** True where no `roof:shape` was tagged (the roof is built flat); absent otherwise. */
  untagged?: true;
  /** Tagged roof height in metres (`roof:height`, or `roof:levels` × level height), or null: the shape's default. */
  height: number | null;
  /** `roof:angle` in degrees (derives the height when no height is tagged), or null. */
  angle: number | null;
  /** `roof:levels`, or null. */
  levels: number | null;
  /** `roof:direction` in degrees clockwise from north, or null. */
  direction: number | null;
  /** `roof:orientation`, or null. */
  orientation: 'along' | 'across' | null;
  /** `roof:colour` as `#rrggbb`, or null. */
  colour: string | null;
  /** `roof:material`, or null. */
  material: string | null;
  /**
   * Whether the building's height came from `building:levels` (which count the storeys below the
   * roof) with no roof height tagged: the roof's derived height then stands on top of the walls.
   */
  onTop: boolean;
}

/** Everything downstream needs to know about one building, parsed once at ingest; nothing later reads raw tags. */
export interface BuildingParams {
  /** Source feature id (string; unique within the output). */
  id: string;
  /** Where it came from: `file` or `file#layer`. */
  source: string;
  /** Apex height above the base (metres). */
  height: number;
  /** Bottom of the extrusion above the base (metres). */
  minHeight: number;
  /**
   * Where `height` comes from: the data's own height (`data`), `building:levels` × the level height
   * (`levels`), the tallest of its `building:part`s for an outline with none of its own drawn as its parts
   * (`parts`), or none in the data: the default height (`default`); a block a coarse tile merges its buildings
   * into: their mean height by area (`merged`). Absent: the data's.
   */
  heightFrom?: 'data' | 'levels' | 'parts' | 'default' | 'merged';
  /**
   * The elevation its base stands at (metres, the terrain's heights), where the run seated the buildings on
   * a terrain (`--terrain`): the table's `ground` column. Absent otherwise.
   */
  ground?: number;
  /** `building:levels`, or null. */
  levels: number | null;
  /** `building:min_level`, or null. */
  minLevel: number | null;
  /** Roof parameters. */
  roof: RoofParams;
  /** `building:colour` as `#rrggbb`, or null. */
  colour: string | null;
  /** `building:material`, or null. */
  material: string | null;
  /** Building type (`building=*` in OSM, `type` in MVT), or null. */
  kind: string | null;
  /** `name`, or null. */
  name: string | null;
  /** `building` for a whole building (or its outline), `part` for a `building:part`. */
  role: 'building' | 'part';
  /** Id of the building this part belongs to (S3DB: the outline it lies in), or null. */
  partOf: string | null;
  /**
   * Index (in the batch) of the building whose feature id this one's geometry carries: itself, or
   * the outline for a part. Set by ingest; -1 for an outline replaced by its parts (not drawn).
   */
  drawAs: number;
  /** Count of source pieces this building was joined from (1 unless re-joined across tiles). */
  pieces: number;
  /**
   * The source's own attributes carried to the output (`--attributes`): raw values by their source
   * names (a user's `ref`, an address, OSM tags, a cadastre id). Nothing downstream interprets them.
   */
  attributes: Record<string, AttributeValue>;
  /**
   * Set when the building's geometry is the source's own surfaces ({@link KeptSurfaces}: a CityJSON
   * model), kept as they are: the frame z its lowest point stands at (the source's own heights, not
   * seated on the ground); `height` is then its highest point above that. Absent: a footprint.
   */
  base?: number;
  /** A city model's level of detail, as it names it (`2.2`), where its surfaces are kept. */
  lod?: string;
  /**
   * Entrances on its outline (OpenStreetMap `entrance=*` nodes): frame x, y pairs, main entrances first.
   * With facades, each gets a door (one per wall edge); absent: one front door on its longest free wall.
   */
  entrances?: number[];
}

/** Semantic surface types of a kept model (CityJSON's), by code: the index in this list. */
export const SURFACE_TYPES = ['', 'RoofSurface', 'WallSurface', 'GroundSurface', 'ClosureSurface', 'OuterCeilingSurface', 'OuterFloorSurface', 'Window', 'Door', 'Other'] as const;

/** A semantic surface type's name. */
export type SurfaceType = (typeof SURFACE_TYPES)[number];

/**
 * A building's own surfaces, kept as the source modelled them (CityJSON): planar polygons in 3D, each
 * an outer ring and its holes. Surface s has rings `surfaceOffsets[s] .. surfaceOffsets[s+1]`; ring r
 * has vertices `ringOffsets[r] .. ringOffsets[r+1]` (open), wound counter-clockwise seen from outside.
 */
export interface KeptSurfaces {
  /** x, y, z triples in the frame. */
  coords: Float64Array;
  ringOffsets: Uint32Array;
  surfaceOffsets: Uint32Array;
  /** Each surface's semantic type: an index into {@link SURFACE_TYPES} (0: none given). */
  types: Uint8Array;
  /** Each surface's semantic object's own attributes (a roof's slope, an id), null where none; absent when no surface has any. */
  surfaceAttributes?: (Record<string, unknown> | null)[];
  /**
   * The vertices' x, y as the source gave them (in its CRS), where known: a model written back in that CRS
   * takes them as they are (a transformation there and back moves them by up to a millimetre).
   */
  sourceXY?: Float64Array;
}

/** A source attribute's value. */
export type AttributeValue = string | number | boolean;

/**
 * Many footprints at once, columnar. Positions are x, y pairs in the local frame.
 * Feature f has polygons `featureOffsets[f] .. featureOffsets[f+1]`; polygon p has rings
 * `polygonOffsets[p] .. polygonOffsets[p+1]` (first ring outer, counter-clockwise; holes clockwise);
 * ring r has vertices `ringOffsets[r] .. ringOffsets[r+1]` (open: the first vertex is not repeated).
 */
export interface FeatureBatch {
  frame: FrameInfo;
  positions: Float64Array;
  ringOffsets: Uint32Array;
  polygonOffsets: Uint32Array;
  featureOffsets: Uint32Array;
  params: BuildingParams[];
  /** Each feature's kept surfaces (a CityJSON model's), or null where its footprint is built; absent when none has any. */
  surfaces?: (KeptSurfaces | null)[];
}

/**
 * Mesh buffers for many buildings (z up, in the local frame). Building b owns vertices
 * `vertexOffsets[b] .. vertexOffsets[b+1]` and triangles `triangleOffsets[b] .. triangleOffsets[b+1]`.
 */
export interface MeshBatch {
  positions: Float32Array;
  normals: Float32Array;
  /** Triangle vertex indices (global, into positions). */
  indices: Uint32Array;
  /** Per-vertex feature id: the building's row in the property table. */
  featureIds: Uint32Array;
  /** Per-vertex material id: index into {@link MeshBatch.materials}. */
  materialIds: Uint16Array;
  vertexOffsets: Uint32Array;
  triangleOffsets: Uint32Array;
  /** Distinct materials (one per colour/material, not one per building). */
  materials: MaterialDef[];
  /** Texture coordinates (u, v per vertex) when a facade material is used: bays along a wall, storeys up. */
  uvs?: Float32Array;
  /**
   * Each building's highest drawn point above its base (metres), by its index in the batch; NaN where
   * nothing of its own is drawn (an outline drawn as its parts, a city model's kept surfaces).
   */
  tops?: Float32Array;
}

/** A PBR material used by the mesh. */
export interface MaterialDef {
  name: string;
  /** Linear-space base colour RGBA, 0..1. */
  baseColor: [number, number, number, number];
  roughness: number;
  metallic: number;
  /** A facade look (its texture repeats over the material's faces, multiplied by the base colour), if any. */
  facade?: string;
}

/** A terrain mesh in the local frame (z up). */
export interface TerrainMesh {
  positions: Float32Array;
  normals: Float32Array;
  indices: Uint32Array;
  /** Triangles of the surface (the rest are skirts). */
  surfaceTriangles: number;
}

/** An image draped on the ground: it covers a box of the local frame (north up). */
export interface GroundTexture {
  /** The encoded image. */
  image: Uint8Array;
  mimeType: 'image/jpeg' | 'image/png';
  /** The box it covers (frame metres): u = (x − minX) / width, v = (maxY − y) / height. */
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** Polygons of one feature as flat arrays (rings open or closed as in the source). */
export interface FlatPolygons {
  /** x, y pairs. */
  coords: Float64Array;
  /** Vertex start of each ring, plus one final entry (length rings + 1). */
  ringOffsets: number[];
  /** Ring start of each polygon, plus one final entry (length polygons + 1). */
  polygonOffsets: number[];
}

/**
 * What a column of the building table holds over a whole tileset (`asset.extras.cityforge.columns` of
 * tileset.json), so a viewer colours every tile on one scale without reading every tile: numbers by
 * their range, mean and spread (and their values' counts while few); text by its values' counts (at most {@link COLUMN_STATS_MAX_VALUES}
 * distinct values, else `values` is null: names, ids, addresses).
 */
export type ColumnStats = (
  | (NumberStats & {
      /** `height`, where some heights are the default one: the same over the heights the data gives (absent from tilesets written before). */
      measured?: NumberStats;
    })
  | { type: 'text'; count: number; values: Record<string, number> | null }
) & {
  /** The source's name where the column's id had to differ (`addr:street` for `addr_street`). */
  title?: string;
};

/** A numeric column's statistics (see {@link ColumnStats}). */
export interface NumberStats {
  type: 'number'; count: number; min: number; max: number; sum: number; sumSquares: number; integers: boolean;
  /** Each value's count (keys: the numbers as text) while there are at most {@link COLUMN_STATS_MAX_VALUES}; null past that (absent from tilesets written before). */
  values?: Record<string, number> | null;
}

/** The most distinct text values a {@link ColumnStats} counts. */
export const COLUMN_STATS_MAX_VALUES = 64;
