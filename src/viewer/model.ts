import * as THREE from 'three';
import { acceleratedRaycast, computeBoundsTree } from 'three-mesh-bvh';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { MeshoptDecoder } from 'three/examples/jsm/libs/meshopt_decoder.module.js';
import { HIGHLIGHT, HOVER_MIX } from './style-by.js';

/** The frame written by cityforge into asset.extras.cityforge. */
export interface Georeference {
  frame: { lon: number; lat: number; height: number; enuToEcef: number[]; sourceCrs: string[] };
  axes: string;
  buildings: number;
}

/** A loaded cityforge GLB: the three.js scene, the property table and the georeference. */
export interface CityModel {
  scene: THREE.Group;
  /** Column name → values (null where the property's noData is), decoded from EXT_structural_metadata. */
  table: Record<string, (string | number | null)[]>;
  /** Column name → its display name (the source's own, e.g. `addr:street`), where it differs. */
  titles?: Record<string, string>;
  rows: number;
  georef: Georeference | null;
  triangles: number;
  bytes: number;
  /** Who the data is by (`asset.copyright`). */
  copyright?: string;
  /** Meshes carrying `_feature_id_0` (buildings), for picking and highlighting. */
  buildingMeshes: THREE.Mesh[];
}

// ray casts through a bounding volume hierarchy (three-mesh-bvh): picking stays fast on a whole city
(THREE.BufferGeometry.prototype as unknown as { computeBoundsTree: typeof computeBoundsTree }).computeBoundsTree = computeBoundsTree;
THREE.Mesh.prototype.raycast = acceleratedRaycast;

/** Build a mesh's bounding volume hierarchy for fast ray casts. */
export function indexForPicking(m: THREE.Mesh): void {
  (m.geometry as unknown as { computeBoundsTree(): void }).computeBoundsTree();
}

/** The parts of a GLB's JSON chunk the viewer reads (cityforge writes them; other members are not typed). */
export interface GlbJson {
  asset?: { copyright?: string; extras?: { cityforge?: CityModel['georef'] } };
  bufferViews: { byteOffset?: number; byteLength: number }[];
  extensions?: {
    EXT_structural_metadata?: {
      schema: { classes: Record<string, { properties: Record<string, { name?: string; type: string; componentType?: string; noData?: number | string }> }> };
      propertyTables: { class: string; count: number; properties: Record<string, { values: number; stringOffsets?: number }> }[];
    };
  };
}

/** Decode the GLB's JSON chunk and its EXT_structural_metadata property table (strings and scalars). */
export function decodeGlbTable(buf: ArrayBuffer): { json: GlbJson; table: Record<string, (string | number | null)[]>; titles: Record<string, string>; rows: number } {
  const dv = new DataView(buf);
  const jsonLen = dv.getUint32(12, true);
  const json = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 20, jsonLen))) as GlbJson;
  const binStart = 20 + jsonLen + 8;
  const meta = json.extensions?.EXT_structural_metadata;
  const table: Record<string, (string | number | null)[]> = {};
  const titles: Record<string, string> = {};
  if (!meta) return { json, table, titles, rows: 0 };
  const pt = meta.propertyTables[0];
  const cls = meta.schema.classes[pt.class];
  const view = (i: number) => {
    const bv = json.bufferViews[i];
    return new Uint8Array(buf, binStart + (bv.byteOffset ?? 0), bv.byteLength);
  };
  for (const [name, prop] of Object.entries(pt.properties)) {
    const def = cls.properties[name];
    if (def.name) titles[name] = def.name;
    let values: (string | number)[];
    if (def.type === 'STRING') {
      const bytes = view(prop.values);
      const offs = new Uint32Array(view(prop.stringOffsets!).slice().buffer);
      const dec = new TextDecoder();
      values = Array.from({ length: pt.count }, (_, i) => dec.decode(bytes.subarray(offs[i], offs[i + 1])));
    } else {
      const raw = view(prop.values).slice().buffer;
      const Arr = ({ FLOAT32: Float32Array, FLOAT64: Float64Array, UINT16: Uint16Array, UINT32: Uint32Array, INT32: Int32Array, UINT8: Uint8Array } as const)[def.componentType as 'FLOAT32'] ?? Float32Array;
      values = Array.from(new Arr(raw));
    }
    table[name] = def.noData === undefined ? values : values.map((v) => (v === def.noData ? null : v));
  }
  return { json, table, titles, rows: pt.count };
}

/** Load a cityforge GLB from a URL. */
export async function loadCity(url: string): Promise<CityModel> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot load ${url}: HTTP ${res.status}`);
  return parseCity(await res.arrayBuffer());
}

/** A city model from GLB bytes already downloaded (see {@link loadCity}). */
export async function parseCity(buf: ArrayBuffer): Promise<CityModel> {
  const { json, table, titles, rows } = decodeGlbTable(buf);
  // --compress output (EXT_meshopt_compression) needs the meshopt decoder
  const gltf = await new GLTFLoader().setMeshoptDecoder(MeshoptDecoder).parseAsync(buf.slice(0), '');
  const buildingMeshes: THREE.Mesh[] = [];
  let triangles = 0;
  gltf.scene.traverse((o) => {
    const m = o as THREE.Mesh;
    if (!m.isMesh) return;
    const g = m.geometry;
    triangles += (g.index ? g.index.count : g.attributes.position.count) / 3;
    if (g.attributes._feature_id_0) {
      buildingMeshes.push(m);
      indexForPicking(m);
    }
    m.castShadow = true;
    m.receiveShadow = true;
  });
  return { scene: gltf.scene, table, titles, rows, copyright: json.asset?.copyright, georef: json.asset?.extras?.cityforge ?? null, triangles, bytes: buf.byteLength, buildingMeshes };
}

/** Darkest a wall gets where it meets the ground (its colour's share), and the rise (m) over which it brightens to full. */
export const CONTACT_SHADE = { darkest: 0.6, rise: 4 };

/**
 * Contact shading, a cheap ambient occlusion: each building's walls darken towards its foot, so blocks read
 * as standing on the ground. Per vertex, its rise (m) above the lowest vertex of its building (feature id)
 * — `up(i)` reads vertex i's height, `id(i)` its feature (< 0: not a building, rise Infinity: unshaded).
 * The model views shade per pixel by {@link contactFactor} of the interpolated rise.
 *
 * @example
 * ```ts
 * const rise = contactRise(n, (i) => positions[3 * i + 2], (i) => ids[i]); // east-north-up positions
 * ```
 */
export function contactRise(count: number, up: (i: number) => number, id: (i: number) => number): Float32Array {
  // (the lowest point per feature in a typed array: a Map took a tenth of a second on SF's 1.1 M vertices)
  let max = -1;
  for (let i = 0; i < count; i++) max = Math.max(max, id(i));
  const low = new Float64Array(max + 1).fill(Infinity);
  for (let i = 0; i < count; i++) {
    const f = id(i);
    if (f >= 0) low[f] = Math.min(low[f], up(i));
  }
  const out = new Float32Array(count).fill(Infinity);
  for (let i = 0; i < count; i++) {
    const f = id(i);
    if (f >= 0) out[i] = up(i) - low[f];
  }
  return out;
}

/** The share of its colour a wall keeps `rise` metres above its building's foot (CONTACT_SHADE.darkest … 1, smooth). */
export function contactFactor(rise: number): number {
  const t = Math.min(1, Math.max(0, rise / CONTACT_SHADE.rise));
  return CONTACT_SHADE.darkest + (1 - CONTACT_SHADE.darkest) * t * t * (3 - 2 * t);
}

/**
 * Contact shading on three.js building meshes (see {@link contactRise}): a `contact` attribute per vertex
 * (its world height, y up, over the lowest of its building across all of them); the fragment shader
 * multiplies {@link contactFactor} of it into the diffuse colour. Materials are cloned: the ground's stay as
 * they are.
 */
export function shadeContacts(meshes: THREE.Mesh[]): void {
  const v = new THREE.Vector3();
  const heights: Float32Array[] = [], ids: Float32Array[] = [];
  for (const m of meshes) {
    m.updateWorldMatrix(true, false);
    const pos = m.geometry.attributes.position, fid = m.geometry.attributes._feature_id_0;
    const h = new Float32Array(pos.count), f = new Float32Array(pos.count);
    for (let i = 0; i < pos.count; i++) {
      h[i] = v.fromBufferAttribute(pos, i).applyMatrix4(m.matrixWorld).y;
      f[i] = fid ? Math.round(fid.getX(i)) : -1;
    }
    heights.push(h);
    ids.push(f);
  }
  // one pass over all meshes: a building's walls and roof may be in different meshes
  const starts = [0];
  for (const h of heights) starts.push(starts[starts.length - 1] + h.length);
  const all = starts[starts.length - 1];
  const flatH = new Float32Array(all), flatF = new Float32Array(all);
  heights.forEach((h, k) => flatH.set(h, starts[k]));
  ids.forEach((f, k) => flatF.set(f, starts[k]));
  const shade = contactRise(all, (i) => flatH[i], (i) => flatF[i]);
  meshes.forEach((m, k) => {
    m.geometry.setAttribute('contact', new THREE.BufferAttribute(shade.slice(starts[k], starts[k + 1]), 1));
    m.material = contactMaterial((m.material as THREE.MeshStandardMaterial).clone());
  });
}

/** How much of the contact shading the model views draw (1: all, 0: none), shared by every shaded material. */
export const contactStrength = { value: 1 };

/** `mat` drawing the `contact` attribute of {@link shadeContacts} into its diffuse colour (a material clone loses it: call again). */
export function contactMaterial<M extends THREE.Material>(mat: M): M {
  mat.onBeforeCompile = (shader) => {
    shader.uniforms.contactStrength = contactStrength;
    shader.vertexShader = shader.vertexShader.replace('#include <common>', '#include <common>\nattribute float contact;\nvarying float vContact;').replace('#include <begin_vertex>', '#include <begin_vertex>\nvContact = contact;');
    shader.fragmentShader = shader.fragmentShader
      .replace('#include <common>', `#include <common>\nvarying float vContact;\nuniform float contactStrength;`)
      .replace('#include <color_fragment>', `#include <color_fragment>\nfloat contactT = clamp(vContact / ${CONTACT_SHADE.rise.toFixed(3)}, 0.0, 1.0);\ndiffuseColor.rgb *= mix(1.0, mix(${CONTACT_SHADE.darkest.toFixed(3)}, 1.0, contactT * contactT * (3.0 - 2.0 * contactT)), contactStrength);`);
  };
  mat.customProgramCacheKey = () => 'cityforge-contact';
  return mat;
}

/** The feature id (property table row) of a ray hit on a building mesh. */
export function featureIdOfHit(hit: THREE.Intersection): number | null {
  const g = (hit.object as THREE.Mesh).geometry;
  const a = g.attributes._feature_id_0;
  if (!a || !hit.face) return null;
  return Math.round(a.getX(hit.face.a));
}

/** Give a building mesh per-vertex colours (white = its material's own colour), so it can be highlighted. */
export function enableHighlight(m: THREE.Mesh): void {
  const n = m.geometry.attributes.position.count;
  m.geometry.setAttribute('color', new THREE.BufferAttribute(new Float32Array(3 * n).fill(1), 3));
  const mat = (m.material as THREE.MeshStandardMaterial).clone();
  mat.vertexColors = true;
  m.material = mat;
}

/**
 * Colour the vertices of the `selected` and `hovered` features (or none) in `meshes` (prepared by
 * {@link enableHighlight}): the selected one in the highlight, the hovered one {@link HOVER_MIX} of the way
 * to it from its own colour, the rest white (or their colour-by colours). Vertex colours multiply the material's: the highlight's is
 * divided by it, so the building shows {@link HIGHLIGHT} itself, whatever its wall or roof colour.
 */
export function highlightMeshes(meshes: THREE.Mesh[], selected: number | null, hovered: number | null = null, highlight: THREE.Color = new THREE.Color(HIGHLIGHT)): void {
  for (const m of meshes) {
    const g = m.geometry;
    const f = g.attributes._feature_id_0;
    const c = g.attributes.color as THREE.BufferAttribute | undefined;
    if (!f || !c) continue;
    const base = (m.material as THREE.MeshStandardMaterial).color ?? new THREE.Color(1, 1, 1);
    const rgb = [highlight.r / Math.max(base.r, 1e-3), highlight.g / Math.max(base.g, 1e-3), highlight.b / Math.max(base.b, 1e-3)];
    const arr = c.array as Float32Array;
    // the rest: white, or their colour-by colours ({@link colourMeshes})
    const under = g.userData.baseColours as Float32Array | undefined;
    for (let v = 0; v < f.count; v++) {
      const id = Math.round(f.getX(v));
      const mix = id === selected ? 1 : id === hovered ? HOVER_MIX : 0;
      for (let k = 0; k < 3; k++) {
        const own = under ? under[3 * v + k] : 1;
        arr[3 * v + k] = own + mix * (rgb[k] - own);
      }
    }
    c.needsUpdate = true;
  }
}



/**
 * Draw (and pick) only the buildings of `meshes` that `visible` keeps, every one with null: each mesh's
 * index buffer is rebuilt from the buildings' triangle runs; the full one stays in
 * `geometry.userData.fullIndex` while filtered (the map view builds its mesh from it).
 */
export function filterMeshes(meshes: THREE.Mesh[], visible: ((id: number) => boolean) | null): void {
  for (const m of meshes) {
    const g = m.geometry;
    const fid = g.attributes._feature_id_0;
    if (!g.index || !fid) continue;
    const full = (g.userData.fullIndex ??= g.index) as THREE.BufferAttribute;
    if (!visible) {
      g.setIndex(full);
      delete g.userData.fullIndex;
      continue;
    }
    const src = full.array as Uint16Array | Uint32Array;
    const out = new (src.constructor as Uint32ArrayConstructor)(src.length);
    let n = 0;
    featureRuns(full.count, (t) => Math.round(fid.getX(src[t])), (id, start, count) => {
      if (!visible(id)) return;
      out.set(src.subarray(start, start + count), n);
      n += count;
    });
    g.setIndex(new THREE.BufferAttribute(out.slice(0, n), 1));
  }
}

/** Per vertex, the linear colour of its feature's sRGB `colourOf(id)` (three floats a vertex). */
export function featureColours(f: THREE.BufferAttribute | THREE.InterleavedBufferAttribute, colourOf: (id: number) => [number, number, number]): Float32Array {
  const c = new THREE.Color();
  const out = new Float32Array(3 * f.count);
  let last = -1;
  for (let v = 0; v < f.count; v++) {
    const id = Math.round(f.getX(v));
    if (id !== last) {
      const [r, g, b] = colourOf(id);
      c.setRGB(r, g, b, THREE.SRGBColorSpace);
      last = id;
    }
    out[3 * v] = c.r;
    out[3 * v + 1] = c.g;
    out[3 * v + 2] = c.b;
  }
  return out;
}

/**
 * Colour the buildings of `meshes` (prepared by {@link enableHighlight}) by `colourOf(row)` (sRGB), or
 * back to their own materials' colours with null. The material turns white while coloured, so the
 * vertex colours are the buildings' colours; {@link highlightMeshes} restores them around a highlight.
 * Call {@link highlightMeshes} afterwards to keep a highlight.
 */
export function colourMeshes(meshes: THREE.Mesh[], colourOf: ((id: number) => [number, number, number]) | null): void {
  const c = new THREE.Color();
  for (const m of meshes) {
    const g = m.geometry;
    const f = g.attributes._feature_id_0;
    const attr = g.attributes.color as THREE.BufferAttribute | undefined;
    const mat = m.material as THREE.MeshStandardMaterial;
    if (!f || !attr || !mat.color) continue;
    const plain = (m.userData.plainColour ??= mat.color.clone()) as THREE.Color;
    const arr = attr.array as Float32Array;
    if (!colourOf) {
      mat.color.copy(plain);
      delete g.userData.baseColours;
      arr.fill(1);
    } else {
      mat.color.set(1, 1, 1);
      const base = featureColours(f, colourOf);
      g.userData.baseColours = base;
      arr.set(base);
    }
    attr.needsUpdate = true;
  }
}

/**
 * The runs of consecutive triangles of one feature in an index buffer of `count` indices:
 * `run(id, start, count)` for each (indices into the buffer; features below 0 skipped).
 * `idAt(t)` is the feature of the triangle starting at index `t`.
 */
export function featureRuns(count: number, idAt: (t: number) => number, run: (id: number, start: number, count: number) => void): void {
  let cur = -1, start = 0;
  for (let t = 0; t <= count; t += 3) {
    const id = t < count ? idAt(t) : -2;
    if (id === cur) continue;
    if (cur >= 0 && t > start) run(cur, start, t - start);
    cur = id;
    start = t;
  }
}

/**
 * The triangles of every building in a set of meshes, indexed once (one pass over the index buffers),
 * so that a building is highlighted with a small overlay of its own triangles instead of recolouring
 * the whole city.
 */
export class FeatureTriangles {
  private readonly ranges = new Map<number, { mesh: number; start: number; count: number }[]>();

  constructor(private readonly meshes: readonly THREE.Mesh[]) {
    meshes.forEach((m, k) => {
      const fid = m.geometry.attributes._feature_id_0;
      const index = m.geometry.index;
      if (!fid || !index) return;
      featureRuns(index.count, (t) => Math.round(fid.getX(index.getX(t))), (id, start, count) => {
        let list = this.ranges.get(id);
        if (!list) this.ranges.set(id, (list = []));
        list.push({ mesh: k, start, count });
      });
    });
  }

  /**
   * An overlay of building `id`'s triangles in `material` (sharing the meshes' vertex buffers, placed
   * with their world matrices), or null when it has none.
   */
  overlay(id: number, material: THREE.Material): THREE.Group | null {
    const list = this.ranges.get(id);
    if (!list) return null;
    const group = new THREE.Group();
    for (const { mesh, start, count } of list) {
      const src = this.meshes[mesh];
      const g = new THREE.BufferGeometry();
      g.setAttribute('position', src.geometry.attributes.position);
      if (src.geometry.attributes.normal) g.setAttribute('normal', src.geometry.attributes.normal);
      // (the ranges are in the whole index: highlight-on-the-wrong-building, with a legend entry hidden the
      // geometry draws a shorter one, see filterMeshes)
      const idx = ((src.geometry.userData.fullIndex as THREE.BufferAttribute | undefined) ?? src.geometry.index!).array as Uint16Array | Uint32Array;
      g.setIndex(new THREE.BufferAttribute(idx.slice(start, start + count), 1));
      const o = new THREE.Mesh(g, material);
      src.updateWorldMatrix(true, false);
      o.matrixAutoUpdate = false;
      o.matrix.copy(src.matrixWorld);
      o.raycast = () => {};
      group.add(o);
    }
    return group;
  }
}

/**
 * The highlight's look: {@link HIGHLIGHT} cyan, drawn over the building's own faces; with `opacity` under 1
 * (the building under the pointer: {@link HOVER_MIX}), blended over them.
 */
export function highlightMaterial(opacity = 1): THREE.MeshStandardMaterial {
  return new THREE.MeshStandardMaterial({ color: new THREE.Color(HIGHLIGHT), roughness: 0.8, polygonOffset: true, polygonOffsetFactor: -1, polygonOffsetUnits: -4, ...(opacity < 1 ? { transparent: true, opacity, depthWrite: false } : {}) });
}
