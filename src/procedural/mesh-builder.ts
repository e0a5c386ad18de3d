import { Growable } from '../core/growable.js';
import type { MaterialDef, MeshBatch } from '../core/types.js';
import { hexToLinear } from '../core/colour.js';

/**
 * Appends vertices and triangles for many buildings into growable typed arrays;
 * {@link MeshBuilder.finish} yields a {@link MeshBatch}.
 */
export class MeshBuilder {
  readonly positions: Growable<Float32Array>;
  readonly normals: Growable<Float32Array>;
  /** Texture coordinates, two per vertex, once a facade material is used (none before: plain builds pay nothing). */
  readonly uvs = new Growable(Float32Array, 1 << 15);
  private textured = false;
  readonly indices: Growable<Uint32Array>;
  readonly featureIds: Growable<Uint32Array>;
  readonly materialIds: Growable<Uint16Array>;
  private readonly vertexOffsets: Growable<Uint32Array>;
  private readonly triangleOffsets: Growable<Uint32Array>;
  private readonly materials: MaterialDef[] = [];
  private readonly materialIndex = new Map<string, number>();
  private featureId = 0;
  private materialId = 0;

  /**
   * @param expected how many vertices, triangles and buildings to make room for at once (a guess: the
   *   arrays still grow past it). Each doubling copies the arrays into fresh memory, and touching fresh
   *   memory is slow (page faults: 70 ms of SF's 300 ms cold flat build); room never written costs nothing.
   */
  constructor(expected: { vertices: number; triangles: number; buildings: number } = { vertices: 1 << 14, triangles: 1 << 14, buildings: 1 << 10 }) {
    const v = Math.max(1024, expected.vertices), t = Math.max(1024, expected.triangles), b = Math.max(64, expected.buildings + 1);
    this.positions = new Growable(Float32Array, 3 * v);
    this.normals = new Growable(Float32Array, 3 * v);
    this.featureIds = new Growable(Uint32Array, v);
    this.materialIds = new Growable(Uint16Array, v);
    this.indices = new Growable(Uint32Array, 3 * t);
    this.vertexOffsets = new Growable(Uint32Array, b);
    this.triangleOffsets = new Growable(Uint32Array, b);
    this.vertexOffsets.push(0);
    this.triangleOffsets.push(0);
  }

  /** Number of vertices so far. */
  get vertexCount(): number {
    return this.positions.length / 3;
  }

  /** Number of triangles so far. */
  get triangleCount(): number {
    return this.indices.length / 3;
  }

  /** Start the next building; its vertices carry `featureId`. */
  beginFeature(featureId: number): void {
    this.featureId = featureId;
  }

  /** Close the current building. */
  endFeature(): void {
    this.vertexOffsets.push(this.vertexCount);
    this.triangleOffsets.push(this.triangleCount);
  }

  /** Use (and register once) the material for a role, colour `#rrggbb` and surface: one material per distinct look. */
  useMaterial(role: string, colour: string, roughness = 0.9, metallic = 0): void {
    const key = roughness === 0.9 && metallic === 0 ? `${role}:${colour}` : `${role}:${colour}:${roughness}:${metallic}`;
    this.use(key, colour, roughness, metallic);
  }

  /**
   * Use (and register once) a facade material: the look's texture (see `facadeTexture`) over the wall
   * colour `#rrggbb`; its vertices' texture coordinates are in bays and storeys.
   */
  useFacade(look: string, colour: string, roughness = 0.9, metallic = 0): void {
    this.facadeSurface = { colour, roughness, metallic };
    this.use(`facade:${look}:${colour}:${roughness}:${metallic}`, colour, roughness, metallic, look);
    if (!this.textured) {
      // texture coordinates from now on; the vertices before get (0, 0)
      this.textured = true;
      for (let v = 0; v < this.vertexCount; v++) this.uvs.push2(0, 0);
    }
  }

  /** The wall colour and surface of the last facade used. */
  private facadeSurface = { colour: '#ffffff', roughness: 0.9, metallic: 0 };

  /** Use another look on the same wall (a shop front on the ground storey): the last facade's colour and surface. */
  useFacadeLook(look: string): void {
    const { colour, roughness, metallic } = this.facadeSurface;
    this.useFacade(look, colour, roughness, metallic);
  }

  /** The current material's index, to come back to with {@link MeshBuilder.useMaterialIndex}. */
  get material(): number {
    return this.materialId;
  }

  /** Make a material used before (its {@link MeshBuilder.material}) current again. */
  useMaterialIndex(id: number): void {
    this.materialId = id;
  }

  /** Make the material named `key` current, registering it on first use. */
  private use(key: string, colour: string, roughness: number, metallic: number, facade?: string): void {
    let id = this.materialIndex.get(key);
    if (id === undefined) {
      id = this.materials.length;
      this.materials.push({ name: key, baseColor: [...hexToLinear(colour), 1], roughness, metallic, ...(facade ? { facade } : {}) });
      this.materialIndex.set(key, id);
    }
    this.materialId = id;
  }

  /** Append a vertex (with its texture coordinates, for a facade); returns its index. */
  vertex(x: number, y: number, z: number, nx: number, ny: number, nz: number, u = 0, v = 0): number {
    this.positions.push3(x, y, z);
    this.normals.push3(nx, ny, nz);
    if (this.textured) this.uvs.push2(u, v);
    this.featureIds.push(this.featureId);
    this.materialIds.push(this.materialId);
    return this.vertexCount - 1;
  }

  /** Append a triangle (counter-clockwise seen from the side its normal points to). */
  triangle(a: number, b: number, c: number): void {
    this.indices.push3(a, b, c);
  }

  /** Right-sized arrays. */
  finish(): MeshBatch {
    return {
      positions: this.positions.toArray(),
      normals: this.normals.toArray(),
      indices: this.indices.toArray(),
      featureIds: this.featureIds.toArray(),
      materialIds: this.materialIds.toArray(),
      vertexOffsets: this.vertexOffsets.toArray(),
      triangleOffsets: this.triangleOffsets.toArray(),
      materials: this.materials.slice(),
      ...(this.textured ? { uvs: this.uvs.toArray() } : {}),
    };
  }
}
