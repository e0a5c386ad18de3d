import { drew } from './frames.js';
import { Deck, MapView, MapController, COORDINATE_SYSTEM, LightingEffect, AmbientLight, DirectionalLight, LayerExtension, WebMercatorViewport, type Viewport } from '@deck.gl/core';
import { SimpleMeshLayer } from '@deck.gl/mesh-layers';
import { Tile3DLayer } from '@deck.gl/geo-layers';
import { Tiles3DLoader } from '@loaders.gl/3d-tiles';
import * as THREE from 'three';
import { Matrix4 } from '@math.gl/core';
import { Ellipsoid } from '@math.gl/geospatial';
import { CONTACT_SHADE, contactRise, featureRuns, indexForPicking, loadCity, parseCity, type CityModel } from './model.js';
import { antialiasing, clearOfPanel, DECK_SCROLL_SPEED, enlargeSharply, renderScale, FLY_TO_MAX_TILT, onCanvasClick, onPointerHover, panelCover, pickNear, type ViewCamera } from './stage.js';
import { drawnTilesOf, jsonResponse, sameUrl, tileLevelOf, TILESET_SSE, type DrawnTiles } from './tiles-view.js';
import { createBaseMap, type BaseMap, type BaseMapCamera, type BaseMapSource } from './basemap.js';
import { HIGHLIGHT_255, HOVER_MIX } from './style-by.js';
import { tilesToDraw } from './replace.js';

interface EnuMesh {
  positions: Float32Array;
  normals: Float32Array;
  /** sRGB colour per vertex. */
  colors: Float32Array;
  /** Per vertex, (rise above its building's foot in metres, 0) for the contact shading ({@link ContactShading}); far off the buildings. */
  rise: Float32Array;
  featureIds: Float32Array;
  /** Every triangle (picking: the ground hides what is behind it). */
  indices: Uint32Array;
  /** The triangles drawn with vertex colours: all but the textured ones. */
  drawIndices: Uint32Array;
  /** Textured meshes (the ground with imagery), drawn by their own layers. */
  textured: { positions: Float32Array; normals: Float32Array; texCoords: Float32Array; indices: Uint32Array; image: unknown }[];
}

/** Every mesh of the model merged into one east-north-up mesh (metres from the frame origin). */
/**
 * A buffer attribute's items as one flat Float32Array, plain or interleaved, normalized integers mapped to
 * −1…1 or 0…1 as glTF says: one tight loop per attribute (three.js's getX/fromBufferAttribute per vertex
 * cost most of the map view's first build).
 */
export function attributeFloats(a: THREE.BufferAttribute | THREE.InterleavedBufferAttribute): Float32Array {
  const inter = (a as THREE.InterleavedBufferAttribute).isInterleavedBufferAttribute;
  const arr = (inter ? (a as THREE.InterleavedBufferAttribute).data.array : a.array) as ArrayLike<number>;
  const stride = inter ? (a as THREE.InterleavedBufferAttribute).data.stride : a.itemSize;
  const offset = inter ? (a as THREE.InterleavedBufferAttribute).offset : 0;
  const k = a.itemSize, n = a.count;
  if (!inter && !a.normalized && arr instanceof Float32Array) return arr;
  const max = !a.normalized ? 1 : arr instanceof Int8Array ? 127 : arr instanceof Uint8Array ? 255 : arr instanceof Int16Array ? 32767 : arr instanceof Uint16Array ? 65535 : 1;
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) out[i * k + c] = arr[i * stride + offset + c] / max;
  if (a.normalized) for (let j = 0; j < out.length; j++) if (out[j] < -1) out[j] = -1;
  return out;
}

export function toEnu(model: CityModel): EnuMesh {
  const parts: { m: THREE.Mesh; n: number; t: number }[] = [];
  let nv = 0, nt = 0;
  model.scene.updateMatrixWorld(true);
  // a mesh's own triangles: the full index buffer, also while the model view filters some out
  const indexOf = (g: THREE.BufferGeometry) => (g.userData.fullIndex as THREE.BufferAttribute | undefined) ?? g.index;
  model.scene.traverse((o) => {
    const m = o as THREE.Mesh;
    if (!m.isMesh) return;
    const n = m.geometry.attributes.position.count;
    const t = indexOf(m.geometry)?.count ?? n;
    parts.push({ m, n, t });
    nv += n;
    nt += t;
  });
  const out: EnuMesh = { positions: new Float32Array(3 * nv), normals: new Float32Array(3 * nv), colors: new Float32Array(3 * nv), rise: new Float32Array(0), featureIds: new Float32Array(nv).fill(-1), indices: new Uint32Array(nt), drawIndices: new Uint32Array(0), textured: [] };
  const draw = new Uint32Array(nt);
  let nd = 0;
  let vo = 0, io = 0;
  const v = new THREE.Vector3();
  const nm = new THREE.Matrix3();
  // slow-first-map-switch: a Vector3 and two small arrays per vertex (through three.js's accessors of the
  // quantized, interleaved attributes) took 0.8 s of the first switch on SF's 1.1 M vertices; the arrays are
  // read directly
  const plain = (a: THREE.BufferAttribute | THREE.InterleavedBufferAttribute | undefined) => (a && a.itemSize === 3 ? attributeFloats(a) : null);
  for (const { m, n, t } of parts) {
    const g = m.geometry;
    nm.getNormalMatrix(m.matrixWorld);
    const col = new THREE.Color().copy((m.material as THREE.MeshStandardMaterial).color).convertLinearToSRGB();
    const fid = g.attributes._feature_id_0;
    const P = plain(g.attributes.position), N = plain(g.attributes.normal);
    const e = m.matrixWorld.elements, q = nm.elements;
    const pos = out.positions, nrm = out.normals, colors = out.colors;
    for (let i = 0; i < n; i++) {
      const o = 3 * (vo + i);
      // world (y up) → east, north, up: (x, −z, y)
      if (P) {
        const x = P[3 * i], y = P[3 * i + 1], z = P[3 * i + 2];
        const w = e[3] * x + e[7] * y + e[11] * z + e[15] || 1;
        pos[o] = (e[0] * x + e[4] * y + e[8] * z + e[12]) / w;
        pos[o + 1] = -(e[2] * x + e[6] * y + e[10] * z + e[14]) / w;
        pos[o + 2] = (e[1] * x + e[5] * y + e[9] * z + e[13]) / w;
      } else {
        v.fromBufferAttribute(g.attributes.position, i).applyMatrix4(m.matrixWorld);
        [pos[o], pos[o + 1], pos[o + 2]] = [v.x, -v.z, v.y];
      }
      if (N) {
        const x = N[3 * i], y = N[3 * i + 1], z = N[3 * i + 2];
        const nx = q[0] * x + q[3] * y + q[6] * z, ny = q[1] * x + q[4] * y + q[7] * z, nz = q[2] * x + q[5] * y + q[8] * z;
        const l = Math.sqrt(nx * nx + ny * ny + nz * nz) || 1;
        nrm[o] = nx / l;
        nrm[o + 1] = -nz / l;
        nrm[o + 2] = ny / l;
      } else if (g.attributes.normal) {
        v.fromBufferAttribute(g.attributes.normal, i).applyMatrix3(nm).normalize();
        [nrm[o], nrm[o + 1], nrm[o + 2]] = [v.x, -v.z, v.y];
      }
      colors[o] = col.r;
      colors[o + 1] = col.g;
      colors[o + 2] = col.b;
    }
    if (fid) {
      const F = attributeFloats(fid);
      for (let i = 0; i < n; i++) out.featureIds[vo + i] = Math.round(F[i * fid.itemSize]);
    }
    const index = indexOf(g);
    const I = index?.array;
    for (let k = 0; k < t; k++) out.indices[io + k] = vo + (I ? I[k] : k);
    const map = (m.material as THREE.MeshStandardMaterial).map;
    // textured ground (imagery) gets its own layers; buildings (facade textures included) stay in the city layer
    if (map?.image && g.attributes.uv && !fid) {
      const uv = g.attributes.uv;
      const texCoords = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) texCoords.set([uv.getX(i), uv.getY(i)], 2 * i);
      out.textured.push({
        positions: out.positions.slice(3 * vo, 3 * (vo + n)),
        normals: out.normals.slice(3 * vo, 3 * (vo + n)),
        texCoords,
        indices: g.index ? Uint32Array.from(g.index.array as ArrayLike<number>) : Uint32Array.from({ length: n }, (_, k) => k),
        image: map.image,
      });
    } else {
      draw.set(out.indices.subarray(io, io + t), nd);
      nd += t;
    }
    vo += n;
    io += t;
  }
  out.drawIndices = draw.slice(0, nd);
  // walls darken towards their foot, as in the model view (per pixel: the rise rides in the texture coordinates)
  const rise = contactRise(nv, (i) => out.positions[3 * i + 2], (i) => out.featureIds[i]);
  out.rise = new Float32Array(2 * nv);
  for (let i = 0; i < nv; i++) out.rise[2 * i] = Math.min(rise[i], 1e4);
  return out;
}

/**
 * deck.gl's map controller, zooming about the ground under the pointer only where there is ground to
 * zoom to (wheel-over-sky-flew-away: tilted towards the horizon, one wheel step over the sky flew the
 * camera some 8 km out, towards where the pointer's ray meets the ground behind the camera). Over the sky,
 * or over ground more than four times as far as what the camera looks at, a step zooms about the view's centre.
 */
export class CityMapController extends MapController {
  protected override getZoomPosition(position: [number, number]): [number, number] {
    const props = this.controllerState.getViewportProps() as { position?: number[] };
    const vp = this.makeViewport(props);
    const centre: [number, number] = [vp.width / 2, vp.height / 2];
    if (this.zoomAround !== 'pointer') return centre;
    const at = vp.unproject(position, { targetZ: props.position?.[2] ?? 0 });
    if (!at.every(Number.isFinite)) return centre;
    const g = vp.projectPosition(at), c = vp.center, cam = vp.cameraPosition;
    const toG = [g[0] - cam[0], g[1] - cam[1], g[2] - cam[2]];
    const toC = [c[0] - cam[0], c[1] - cam[1], c[2] - cam[2]];
    const ahead = toG[0] * toC[0] + toG[1] * toC[1] + toG[2] * toC[2];
    const far = Math.hypot(g[0] - c[0], g[1] - c[1], g[2] - c[2]) > 4 * Math.hypot(toC[0], toC[1], toC[2]);
    return ahead > 0 && !far ? position : centre;
  }
}

/** A deck.gl map's bearing and ground metres per CSS pixel at its centre (null before its first frame). */
export function deckNav(deck: Deck): { bearing: number; metresPerPixel: number } | null {
  // (none before deck.gl's first frame: its views are not set up yet)
  if (!(deck as unknown as { isInitialized?: boolean }).isInitialized) return null;
  const vp = deck.getViewports()[0] as (Viewport & { bearing?: number; latitude?: number; zoom?: number }) | undefined;
  if (!vp || vp.latitude === undefined || vp.zoom === undefined) return null;
  // a web-mercator pixel at zoom z is 2π·R·cos(lat) / (512 · 2^z) metres (deck.gl's 512 px world)
  return { bearing: (((vp.bearing ?? 0) % 360) + 360) % 360, metresPerPixel: (2 * Math.PI * 6378137 * Math.cos((vp.latitude * Math.PI) / 180)) / (512 * 2 ** vp.zoom) };
}

/** The median height of the model's vertices (frame metres): where the map camera looks. */
function medianGround(e: EnuMesh): number {
  const zs: number[] = [];
  const step = Math.max(1, Math.floor(e.positions.length / 3 / 20000));
  for (let v = 0; v < e.positions.length / 3; v += step) zs.push(e.positions[3 * v + 2]);
  zs.sort((a, b) => a - b);
  return zs.length ? zs[zs.length >> 1] : 0;
}

/** The map views' first bearing (degrees). */
const HOME_BEARING = -20;

/**
 * The first view of a city of `radius` metres about `origin`, looking at `bearing`: the zoom that fits it
 * in the part of the view the panel leaves free (tilted 50°, the ground's depth takes about three quarters
 * of its width on the screen, so a wide, low window fits on its height), centred there.
 * map-home-under-the-panel: fitted to the whole width and centred on the screen, the city ran under the
 * panel and past the bottom edge.
 */
function fitHome(el: HTMLElement, origin: [number, number], radius: number, bearing: number): { longitude: number; latitude: number; zoom: number } {
  const width = el.clientWidth || window.innerWidth, height = el.clientHeight || window.innerHeight;
  const cover = clearOfPanel(panelCover(), width);
  const free = Math.min(width - cover, 1.3 * height);
  const zoom = Math.max(1, Math.min(20, Math.log2((40075016 * Math.cos((origin[1] * Math.PI) / 180) * free) / (512 * 2.2 * radius))));
  // the view's centre half the panel's width to the right of the city's, along the screen's x axis
  const shift = (cover / 2) * metresPerPixel(zoom, origin[1]);
  const b = (bearing * Math.PI) / 180;
  const east = shift * Math.cos(b), north = -shift * Math.sin(b);
  return { longitude: origin[0] + east / (111320 * Math.cos((origin[1] * Math.PI) / 180)), latitude: origin[1] + north / 110574, zoom };
}

/** Normals or directions (east, north, up) into the frame deck.gl's glTF shader sees a tileset's in (east, south, down), in place. */
function toTilesAxes<T extends Float32Array | number[]>(normals: T): T {
  for (let i = 0; i < normals.length; i += 3) {
    normals[i + 1] = -normals[i + 1];
    normals[i + 2] = -normals[i + 2];
  }
  return normals;
}

/**
 * How the map views sample a ground texture (imagery, a ground map): deck.gl's own defaults (linear, with
 * mipmaps, clamped) and anisotropic filtering, as the model views have (ground-map-blurred: seen
 * obliquely, the streets' lines smeared into the blocks).
 */
const GROUND_SAMPLER = { minFilter: 'linear', magFilter: 'linear', mipmapFilter: 'linear', addressModeU: 'clamp-to-edge', addressModeV: 'clamp-to-edge', maxAnisotropy: 8 } as const;

/**
 * The sun's direction of travel (east, north, up): the model view's sun (from the west-south-west, high;
 * map-view-lit-from-the-other-side: the map views' came from the north-east).
 */
const SUN: [number, number, number] = [0.4, 0.5, -0.8];

/**
 * Sun-like lighting for both map views. `axes`: the frame the layer's normals reach the shader in: the
 * map's (east, north, up), or the one deck.gl's glTF shader sees a tileset's normals in (east, south, down:
 * found by lighting the tiles from each axis in turn; their roofs face −z there).
 */
function sunLighting(ambient: number, sun: number, axes: 'map' | 'tiles' = 'map'): LightingEffect {
  const direction = axes === 'map' ? SUN : toTilesAxes<[number, number, number]>([...SUN]);
  return new LightingEffect({
    ambient: new AmbientLight({ color: [255, 255, 255], intensity: ambient }),
    sun: new DirectionalLight({ color: [255, 246, 230], intensity: sun, direction }),
  });
}

/**
 * Contact shading in the map view, as in the model view ({@link contactFactor}, per pixel): the city
 * layer's texture coordinates carry each vertex's rise above its building's foot (the layer has no
 * texture), and deck.gl's colour filter hook darkens by it before lighting.
 */
class ContactShading extends LayerExtension {
  static extensionName = 'ContactShading';
  getShaders(): { modules: { name: string; inject: Record<string, string> }[] } {
    const { darkest, rise } = CONTACT_SHADE;
    return {
      modules: [{
        name: 'contactShading',
        inject: { 'fs:DECKGL_FILTER_COLOR': `float contactT = clamp(geometry.uv.x / ${rise.toFixed(3)}, 0.0, 1.0);\ncolor.rgb *= mix(${darkest.toFixed(3)}, 1.0, contactT * contactT * (3.0 - 2.0 * contactT));` },
      }],
    };
  }
}
const CONTACT_SHADING = new ContactShading();

/** What of deck.gl's map view state the camera conversions read. */
interface MapViewState { longitude: number; latitude: number; zoom: number; pitch: number; bearing: number; position?: number[] }

/**
 * deck.gl's map camera sits 1.5 screen heights from the point it looks at (a 36.9° field of view); the
 * model view's is 40°: the distance at which each shows the same stretch of ground differs by this.
 */
const MAP_DISTANCE_PER_MODEL_DISTANCE = Math.tan((20 * Math.PI) / 180) / (0.5 / 1.5);

/** Ground metres per pixel of the map at `zoom` and `latitude` (a 512-pixel world at zoom 0). */
const metresPerPixel = (zoom: number, latitude: number) => (40075016.686 * Math.cos((latitude * Math.PI) / 180)) / (512 * 2 ** zoom);

/** A map view state as a {@link ViewCamera} (frame metres around `origin`). */
function mapToViewCamera(el: HTMLElement, origin: [number, number], vs: MapViewState): ViewCamera {
  const vp = new WebMercatorViewport({ width: 1, height: 1, longitude: origin[0], latitude: origin[1], zoom: 12 });
  const e = enuOf(vp, origin, [vs.longitude, vs.latitude, 0]);
  const height = el.clientHeight || window.innerHeight;
  const distance = (1.5 * height * metresPerPixel(vs.zoom, vs.latitude)) / MAP_DISTANCE_PER_MODEL_DISTANCE;
  return { target: [e.x, e.y, vs.position?.[2] ?? 0], distance, bearing: ((vs.bearing % 360) + 360) % 360, pitch: vs.pitch };
}

/** A {@link ViewCamera} as a map view state. */
function viewCameraToMap(el: HTMLElement, origin: [number, number], c: ViewCamera): MapViewState {
  const vp = new WebMercatorViewport({ width: 1, height: 1, longitude: origin[0], latitude: origin[1], zoom: 12 });
  const o = vp.projectFlat(origin);
  const { unitsPerMeter } = vp.getDistanceScales(origin);
  const [longitude, latitude] = vp.unprojectFlat([o[0] + c.target[0] * unitsPerMeter[0], o[1] + c.target[1] * unitsPerMeter[1]]);
  const height = el.clientHeight || window.innerHeight;
  const zoom = Math.log2((40075016.686 * Math.cos((latitude * Math.PI) / 180) * 1.5 * height) / (512 * c.distance * MAP_DISTANCE_PER_MODEL_DISTANCE));
  return { longitude, latitude, zoom, pitch: Math.min(80, Math.max(0, c.pitch)), bearing: c.bearing > 180 ? c.bearing - 360 : c.bearing, position: [0, 0, c.target[2]] };
}

/** deck.gl's camera, as a base map follows it (null before the first frame). */
function deckCamera(deck: Deck): BaseMapCamera | null {
  const vp = (deck as unknown as { isInitialized?: boolean }).isInitialized ? (deck.getViewports()[0] as (Viewport & { longitude: number; latitude: number; zoom: number; pitch: number; bearing: number; position?: number[] }) | undefined) : undefined;
  return vp ? { longitude: vp.longitude, latitude: vp.latitude, zoom: vp.zoom, bearing: vp.bearing, pitch: vp.pitch, elevation: vp.position?.[2] ?? 0 } : null;
}

/** A base map (MapLibre) under a deck.gl map; null (and a warning) when it cannot be made. */
function underneath(el: HTMLElement, source: BaseMapSource, deck: Deck): Promise<BaseMap | null> {
  const start = deckCamera(deck) ?? { longitude: 0, latitude: 0, zoom: 1, bearing: 0, pitch: 0, elevation: 0 };
  return createBaseMap(el, source, start, renderScale()).then(
    (b) => {
      const c = deckCamera(deck);
      if (c) b.follow(c);
      return b;
    },
    (e: unknown) => {
      console.warn(`cityforge: the base map ${source.url} cannot be drawn: ${(e as Error).message ?? e}`);
      return null;
    },
  );
}

/** Move the base map (once made) to deck.gl's camera. */
function followDeck(base: Promise<BaseMap | null> | null, deck: Deck): void {
  if (!base) return;
  void base.then((b) => {
    const c = b && deckCamera(deck);
    if (b && c) b.follow(c);
  });
}

/** Frame metres (east, north, up) of a lng/lat/z, with the viewport's own linearisation (as deck.gl draws METER_OFFSETS). */
function enuOf(vp: Viewport, origin: [number, number], lngLatZ: number[]): THREE.Vector3 {
  const o = vp.projectFlat(origin);
  const p = vp.projectFlat([lngLatZ[0], lngLatZ[1]]);
  const { unitsPerMeter } = vp.getDistanceScales(origin);
  return new THREE.Vector3((p[0] - o[0]) / unitsPerMeter[0], (p[1] - o[1]) / unitsPerMeter[1], lngLatZ[2] ?? 0);
}

/** Page position of a frame point (east, north, up). */
function pageOf(vp: Viewport, origin: [number, number], el: HTMLElement, e: THREE.Vector3): { x: number; y: number } {
  const o = vp.projectFlat(origin);
  const { unitsPerMeter } = vp.getDistanceScales(origin);
  const ll = vp.unprojectFlat([o[0] + e.x * unitsPerMeter[0], o[1] + e.y * unitsPerMeter[1]]);
  const p = vp.project([ll[0], ll[1], e.z]);
  const r = el.getBoundingClientRect();
  return { x: r.left + p[0], y: r.top + p[1] };
}

/** The ray under canvas pixel (x, y), in the frame. */
function rayAt(vp: Viewport, origin: [number, number], x: number, y: number, raycaster: THREE.Raycaster): void {
  const near = enuOf(vp, origin, vp.unproject([x, y], { targetZ: 2000 }));
  const far = enuOf(vp, origin, vp.unproject([x, y], { targetZ: -200 }));
  raycaster.set(near, far.sub(near).normalize());
}

/**
 * Clicks from the DOM (deck.gl's own onClick misses the first click after the view appears); a press
 * that moved more than a few pixels was a drag of the map, not a click.
 */
/** A click on the map's element in its own pixels (drags excluded). */
function onMapClick(el: HTMLElement, handler: (x: number, y: number) => void): void {
  onCanvasClick(el, (x, y) => {
    const r = el.getBoundingClientRect();
    handler(x - r.left, y - r.top);
  });
}

/** The deck.gl map view: the model on the globe at its frame's origin; picking by ray cast in the frame. */
export class MapViewer {
  readonly deck: Deck;
  private readonly enu: EnuMesh;
  private readonly pickMesh: THREE.Mesh;
  private readonly raycaster = new THREE.Raycaster();
  private readonly origin: [number, number];
  /** The selected building and the one under the pointer. */
  private highlighted: { selected: number | null; hovered: number | null } = { selected: null, hovered: null };
  private readonly litMeshes: Partial<Record<'selected' | 'hovered', { id: number; mesh: unknown }>> = {};
  private ground?: SimpleMeshLayer[];
  /** The plain under the city where no base map is (map-view-had-no-ground). */
  private plain: SimpleMeshLayer | null = null;

  /** The drawn triangles of each building: start and count in `enu.drawIndices`, found once. */
  private readonly buildingRanges = new Map<number, [number, number][]>();
  private city: SimpleMeshLayer;
  private readonly home: Record<string, unknown>;
  /** The triangles drawn: every one, or the visible buildings' and the ground's while filtered. */
  private drawIndices: Uint32Array;
  private visible: ((id: number) => boolean) | null = null;
  private colours: { of: ((id: number) => [number, number, number]) | null; key: string } = { of: null, key: '' };

  /**
   * @param onHover called on each pointer move over the map with a function that picks the building
   *   under the pointer (the caller times and applies it).
   */
  constructor(private readonly el: HTMLElement, private readonly model: CityModel, onClick: (id: number | null) => void, onHover: (pick: () => number | null) => void, basemap: BaseMapSource | null = null) {
    const f = model.georef?.frame;
    this.origin = f ? [f.lon, f.lat] : [0, 0];
    this.enu = toEnu(model);
    const geom = new THREE.BufferGeometry();
    geom.setAttribute('position', new THREE.BufferAttribute(this.enu.positions, 3));
    geom.setIndex(new THREE.BufferAttribute(this.enu.indices, 1));
    this.pickMesh = new THREE.Mesh(geom);
    indexForPicking(this.pickMesh);
    this.raycaster.firstHitOnly = true;
    geom.computeBoundingSphere();
    const r = geom.boundingSphere!.radius;
    const fit = fitHome(el, this.origin, r, HOME_BEARING);
    const zoom = fit.zoom;
    const lighting = sunLighting(MAP_AMBIENT, MAP_SUN);
    // each building's drawn triangles, once: the highlight is an overlay of those, the city layer never changes
    const ids = this.enu.featureIds, di = this.enu.drawIndices;
    featureRuns(di.length, (t) => ids[di[t]], (id, start, count) => {
      let list = this.buildingRanges.get(id);
      if (!list) this.buildingRanges.set(id, (list = []));
      list.push([start, count]);
    });
    this.drawIndices = this.enu.drawIndices;
    this.city = this.layer();
    if (!basemap) {
      geom.computeBoundingBox();
      const low = geom.boundingBox!.min.z;
      this.plain = plainLayer(this.origin, (Number.isFinite(low) ? low : 0) - 0.05, 2 * r, MAP_AMBIENT);
    }
    const groundTris: number[] = [];
    for (let t = 0; t < this.enu.indices.length; t += 3) if (this.enu.featureIds[this.enu.indices[t]] < 0) groundTris.push(this.enu.indices[t], this.enu.indices[t + 1], this.enu.indices[t + 2]);
    if (groundTris.length) {
      const g = new THREE.BufferGeometry();
      g.setAttribute('position', new THREE.BufferAttribute(this.enu.positions, 3));
      g.setIndex(new THREE.BufferAttribute(Uint32Array.from(groundTris), 1));
      this.groundMesh = new THREE.Mesh(g);
      indexForPicking(this.groundMesh);
    } else this.groundMesh = null;
    // the camera looks at the ground's altitude (deck.gl's map camera knows no terrain): zooming in over
    // hills keeps the city in front of it
    this.home = { longitude: fit.longitude, latitude: fit.latitude, zoom, pitch: 50, bearing: HOME_BEARING, position: [0, 0, medianGround(this.enu)], minZoom: Math.max(0, zoom - 6), maxZoom: 22, maxPitch: 80 };
    this.deck = new Deck({
      parent: el,
      views: new MapView({ repeat: false }),
      initialViewState: this.home,
      controller: { type: CityMapController, scrollZoom: { speed: DECK_SCROLL_SPEED, smooth: false }, doubleClickZoom: false },
      onViewStateChange: ({ viewState }: { viewState: Record<string, unknown> & { longitude: number; latitude: number } }) => (this.viewState = this.followGround(viewState) as unknown as MapViewState),
      effects: [lighting],
      parameters: { clearColor: basemap ? [0, 0, 0, 0] : [0.87, 0.9, 0.93, 1] } as never,
      layers: this.layers(),
      // (no MSAA in software WebGL: software-rendering-was-sluggish)
      deviceProps: { webgl: { antialias: antialiasing(), preserveDrawingBuffer: true } },
      useDevicePixels: renderScale(),
      onLoad: () => enlargeSharply(this.deck?.getCanvas()),
      onAfterRender: () => this.afterRender(),
    } as never);
    this.viewState = this.home as unknown as MapViewState;
    if (basemap) this.base = underneath(el, basemap, this.deck);
    onMapClick(el, (x, y) => onClick(pickNear((px, py) => this.pick(px, py), x, y)));
    // map-double-click-did-nothing: as in the model view, a double-click flies closer to the point under it
    el.addEventListener('dblclick', (e) => {
      const r = el.getBoundingClientRect();
      this.zoomAt(e.clientX - r.left, e.clientY - r.top);
    });
    onPointerHover(el, (x, y) => {
      const r = el.getBoundingClientRect();
      onHover(() => this.pick(x - r.left, y - r.top));
    });
  }

  private base: Promise<BaseMap | null> | null = null;

  private afterRender(): void {
    drew('map');
    this.onView?.();
    followDeck(this.base, this.deck);
  }

  /** Whether the base map (if any) is still loading what it shows. */
  async baseMapLoading(): Promise<boolean> {
    const b = await this.base;
    return !!b && b.loading();
  }

  /** Look at a point of the frame (east, north, up) from `distance` metres (as the model view would), the same tilt. */
  flyTo(e: THREE.Vector3, distance = 120): void {
    const vs = this.viewState;
    const pitch = Math.min(vs?.pitch ?? 50, FLY_TO_MAX_TILT);
    const at = viewCameraToMap(this.el, this.origin, { target: [e.x, e.y, e.z], distance, bearing: vs?.bearing ?? 0, pitch });
    this.jump({ ...(this.home as unknown as MapViewState), ...at, bearing: vs?.bearing ?? at.bearing, pitch });
  }

  /** Twice as close, centred on the ground point under canvas pixel (x, y). */
  zoomAt(x: number, y: number): void {
    const vp = this.viewport() as (Viewport & { unproject(xy: number[], o?: { targetZ?: number }): number[] }) | null;
    const vs = this.viewState;
    if (!vp || !vs) return;
    const [longitude, latitude] = vp.unproject([x, y], { targetZ: vs.position?.[2] ?? 0 });
    if (!Number.isFinite(longitude) || !Number.isFinite(latitude)) return;
    this.jump({ ...(this.home as unknown as MapViewState), ...vs, longitude, latitude, zoom: Math.min(22, vs.zoom + 1), resets: ++this.resets });
  }

  /** Move the camera to `state` (deck.gl resets to a new initial view state; the copy kept follows). */
  private jump(state: MapViewState & Record<string, unknown>): void {
    this.viewState = state;
    this.deck.setProps({ initialViewState: state as never });
  }

  /** The camera as both views understand it (null before the first frame). */
  viewCamera(): ViewCamera | null {
    const vs = this.viewState;
    return vs ? mapToViewCamera(this.el, this.origin, vs) : null;
  }

  /** Look as `c` says (another view's camera), within the map's limits. */
  setViewCamera(c: ViewCamera): void {
    this.jump({ ...this.home, ...viewCameraToMap(this.el, this.origin, c), resets: ++this.resets });
  }

  /** The last view state deck.gl reported (after the ground was followed). */
  private viewState: MapViewState | null = null;

  /** Back to the first view of the city. */
  resetCamera(): void {
    // map-home-did-nothing: deck.gl resets only when the initial view state differs (deeply) from the last one,
    // and home after a pan or zoom was the same as before: a counter makes each one new
    this.jump({ ...(this.home as unknown as MapViewState), resets: ++this.resets });
  }

  private resets = 0;

  /**
   * The camera looks at the terrain under the view's centre (map-zoom-went-blank: looking at one median
   * altitude, zooming in over a hill put the camera inside it and the view went blank).
   */
  private followGround(vs: Record<string, unknown> & { longitude: number; latitude: number }): Record<string, unknown> {
    const vp = this.viewport();
    if (!this.groundMesh || !vp) return vs;
    const e = enuOf(vp, this.origin, [vs.longitude, vs.latitude, 0]);
    this.raycaster.set(new THREE.Vector3(e.x, e.y, 1e5), new THREE.Vector3(0, 0, -1));
    const hit = this.raycaster.intersectObject(this.groundMesh, false)[0];
    return hit ? { ...vs, position: [0, 0, hit.point.z] } : vs;
  }

  /** The ground's triangles (no building's), indexed for ray casts; null without a ground. */
  private readonly groundMesh: THREE.Mesh | null;

  /** Called after every frame drawn (the navigation overlay follows the map). */
  onView: (() => void) | null = null;

  /** The map's bearing and its ground metres per CSS pixel at the centre. */
  navState(): { bearing: number; metresPerPixel: number } | null {
    return deckNav(this.deck);
  }

  /** Turn the map north up: the same place, zoom and tilt. */
  northUp(): void {
    if (!(this.deck as unknown as { isInitialized?: boolean }).isInitialized) return;
    const vp = this.viewport() as Viewport & { longitude: number; latitude: number; zoom: number; pitch: number };
    if (!vp) return;
    this.jump({ ...(this.home as unknown as MapViewState), ...(this.viewState ?? {}), longitude: vp.longitude, latitude: vp.latitude, zoom: vp.zoom, pitch: vp.pitch, bearing: 0, resets: ++this.resets });
  }

  /** The city's layers: the textured ground (imagery, made once), then every other mesh in one layer. */
  private layers(): SimpleMeshLayer[] {
    this.ground ??= this.enu.textured.map(
      (t, k) =>
        new SimpleMeshLayer({
          id: `ground-${k}`,
          data: [0],
          coordinateSystem: COORDINATE_SYSTEM.METER_OFFSETS,
          coordinateOrigin: [this.origin[0], this.origin[1], 0],
          getPosition: () => [0, 0, 0],
          getColor: [255, 255, 255],
          texture: t.image as never,
          textureParameters: GROUND_SAMPLER,
          mesh: { attributes: { positions: { size: 3, value: t.positions }, normals: { size: 3, value: t.normals }, texCoords: { size: 2, value: t.texCoords } }, indices: { size: 1, value: t.indices } } as never,
          material: { ambient: 0.6, diffuse: 0.5, shininess: 4, specularColor: [0, 0, 0] },
          pickable: false,
        }),
    );
    const out = [...(this.plain ? [this.plain] : []), ...this.ground, this.city];
    for (const which of ['selected', 'hovered'] as const) {
      const lit = this.highlightLayer(which);
      if (lit) out.push(lit);
    }
    return out;
  }

  /** The selected (or hovered) building's triangles, in a small layer of their own drawn over the city's. */
  private highlightLayer(which: 'selected' | 'hovered'): SimpleMeshLayer | null {
    const id = this.highlighted[which];
    const ranges = id === null ? undefined : this.buildingRanges.get(id);
    if (!ranges) return null;
    // (the same mesh object while the building stays: a new one is uploaded again at every hover)
    let mesh = this.litMeshes[which];
    if (mesh?.id !== id) {
      const n = ranges.reduce((a, [, c]) => a + c, 0);
      const positions = new Float32Array(3 * n), normals = new Float32Array(3 * n);
      let k = 0;
      for (const [start, count] of ranges)
        for (let t = start; t < start + count; t++, k++) {
          const v = this.enu.drawIndices[t];
          positions.set(this.enu.positions.subarray(3 * v, 3 * v + 3), 3 * k);
          normals.set(this.enu.normals.subarray(3 * v, 3 * v + 3), 3 * k);
        }
      mesh = this.litMeshes[which] = { id: id!, mesh: { attributes: { positions: { size: 3, value: positions }, normals: { size: 3, value: normals } } } };
    }
    return highlightLayer(`highlight-${which}`, this.origin, which, mesh.mesh, HIGHLIGHT_MATERIAL);
  }

  /** Colour every building by `colourOf(row)` (sRGB), or back to its materials with null. */
  setColours(colourOf: ((id: number) => [number, number, number]) | null, key = ''): void {
    this.colours = { of: colourOf, key };
    let colors = this.enu.colors;
    if (colourOf) {
      colors = colors.slice();
      const ids = this.enu.featureIds;
      for (let v = 0; v < ids.length; v++) if (ids[v] >= 0) colors.set(colourOf(ids[v]), 3 * v);
    }
    this.city = this.layer(colors, key);
    this.deck.setProps({ layers: this.layers() });
  }

  private layer(colors = this.enu.colors, key = ''): SimpleMeshLayer {
    return new SimpleMeshLayer({
      // a new id for every new look (colours, filter): deck.gl then builds the mesh anew
      id: `city${key ? `-${key}` : ''}-${++this.layerVersion}`,
      data: [0],
      coordinateSystem: COORDINATE_SYSTEM.METER_OFFSETS,
      coordinateOrigin: [this.origin[0], this.origin[1], 0],
      getPosition: () => [0, 0, 0],
      getColor: [255, 255, 255],
      mesh: { attributes: { positions: { size: 3, value: this.enu.positions }, normals: { size: 3, value: this.enu.normals }, colors: { size: 3, value: colors }, texCoords: { size: 2, value: this.enu.rise } }, indices: { size: 1, value: this.drawIndices } } as never,
      material: { ambient: 0.5, diffuse: 0.6, shininess: 16, specularColor: [20, 20, 20] },
      extensions: [CONTACT_SHADING],
      pickable: false,
    });
  }

  /** Draw (and pick) only the buildings `visible` keeps, the ground always; every building with null. */
  setVisible(visible: ((id: number) => boolean) | null): void {
    this.visible = visible;
    const di = this.enu.drawIndices, ids = this.enu.featureIds;
    if (!visible) this.drawIndices = di;
    else {
      const out = new Uint32Array(di.length);
      let n = 0;
      for (let t = 0; t < di.length; t += 3) {
        const id = ids[di[t]];
        if (id >= 0 && !visible(id)) continue;
        out[n++] = di[t];
        out[n++] = di[t + 1];
        out[n++] = di[t + 2];
      }
      this.drawIndices = out.slice(0, n);
    }
    this.setColours(this.colours.of, this.colours.key);
  }

  private layerVersion = 0;

  /** Highlight the selected building and, blended over its own colours, the one under the pointer (or none). */
  setHighlight(selected: number | null, hovered: number | null = null): void {
    const hover = hovered === selected ? null : hovered;
    if (selected === this.highlighted.selected && hover === this.highlighted.hovered) return;
    this.highlighted = { selected, hovered: hover };
    this.deck.setProps({ layers: this.layers() });
  }

  private viewport(): Viewport {
    return this.deck.getViewports()[0];
  }

  /** The building under canvas pixel (x, y), or null. */
  pick(x: number, y: number): number | null {
    const vp = this.viewport();
    if (!vp || x < 0 || y < 0) return null;
    rayAt(vp, this.origin, x, y, this.raycaster);
    // while filtered, the first hit of a building still drawn (or the ground)
    this.raycaster.firstHitOnly = !this.visible;
    for (const hit of this.raycaster.intersectObject(this.pickMesh, false)) {
      if (!hit.face) continue;
      const id = this.enu.featureIds[hit.face.a];
      if (id >= 0 && this.visible && !this.visible(id)) continue;
      return id >= 0 ? id : null;
    }
    return null;
  }

  /** Screen position (page pixels) of a point in the frame (east, north, up). */
  project(e: THREE.Vector3): { x: number; y: number } {
    return pageOf(this.viewport(), this.origin, this.el, e);
  }
}

/**
 * A building's triangles drawn again over the city in the highlight's cyan: the selected one solid, the
 * hovered one blended over its own colour ({@link HOVER_MIX}). A depth bias keeps it in front of the faces
 * it covers (map-highlight-patchy: from afar a long building's long walls fought them for depth).
 */
function highlightLayer(id: string, origin: [number, number] | [number, number, number], which: 'selected' | 'hovered', mesh: unknown, material: Record<string, unknown>): SimpleMeshLayer {
  return new SimpleMeshLayer({
    id,
    data: [0],
    coordinateSystem: COORDINATE_SYSTEM.METER_OFFSETS,
    coordinateOrigin: [origin[0], origin[1], origin[2] ?? 0],
    getPosition: () => [0, 0, 0],
    getColor: HIGHLIGHT_255,
    ...(which === 'hovered' ? { opacity: HOVER_MIX } : {}),
    mesh: mesh as never,
    material,
    parameters: { depthBias: -1, depthBiasSlopeScale: -1 } as never,
    pickable: false,
  } as never);
}

/**
 * The triangles of building `id` of a tile (frame metres), unindexed with flat normals, each face moved
 * {@link HIGHLIGHT_LIFT} out along its normal so the highlight draws over the tile's own faces.
 * map-highlight-patchy: the highlight was grown about the building's centre, which moved a face looking
 * in towards the centre (a courtyard's wall, the inner side of a wing) back behind the tile's own: those
 * kept their colour.
 */
function buildingMesh(p: TilePick, id: number): { positions: Float32Array; normals: Float32Array } {
  const pos = p.mesh.geometry.attributes.position.array as Float32Array;
  const idx = p.mesh.geometry.index!.array as Uint32Array;
  const tris: number[] = [];
  for (let t = 0; t < idx.length; t += 3) if (p.featureIds[idx[t]] === id) tris.push(idx[t], idx[t + 1], idx[t + 2]);
  const positions = new Float32Array(3 * tris.length), normals = new Float32Array(3 * tris.length);
  const a = new THREE.Vector3(), b = new THREE.Vector3(), c = new THREE.Vector3(), n = new THREE.Vector3();
  for (let t = 0; t < tris.length; t += 3) {
    a.fromArray(pos, 3 * tris[t]);
    b.fromArray(pos, 3 * tris[t + 1]);
    c.fromArray(pos, 3 * tris[t + 2]);
    n.subVectors(c, b).cross(a.clone().sub(b)).normalize();
    for (const [k, v] of [a, b, c].entries()) {
      v.addScaledVector(n, HIGHLIGHT_LIFT).toArray(positions, 3 * (t + k));
      n.toArray(normals, 3 * (t + k));
    }
  }
  return { positions, normals };
}

/** Points (x, y, z triples, in double precision) moved by `m`. */
function transformPoints(m: Matrix4, xyz: ArrayLike<number>): Float64Array {
  const out = new Float64Array(xyz.length);
  for (let i = 0; i < xyz.length; i += 3) {
    const x = xyz[i], y = xyz[i + 1], z = xyz[i + 2];
    out[i] = m[0] * x + m[4] * y + m[8] * z + m[12];
    out[i + 1] = m[1] * x + m[5] * y + m[9] * z + m[13];
    out[i + 2] = m[2] * x + m[6] * y + m[10] * z + m[14];
  }
  return out;
}

/** How far (m) the tileset map view's highlight stands out from the faces it covers. */
const HIGHLIGHT_LIFT = 0.08;

/** A tile loaders.gl selected: its id, content and parent (REPLACE refinement: a child drawn replaces it). */
interface SelectedTile {
  id: string;
  contentUrl: string;
  parent?: SelectedTile | null;
  children?: SelectedTile[];
  /** Whether it was in the view's frustum when loaders.gl last looked ({@link _frameNumber}). */
  isVisible?: boolean;
  _frameNumber?: number | null;
  tileset?: { _frameNumber?: number };
  /** Where deck.gl draws its content from: the tile's centre (lon, lat, height), its meshes in metres east, north and up of it. */
  content?: { cartographicOrigin?: ArrayLike<number> } | null;
  /** The tile's bounding volume (its centre in ECEF). */
  boundingVolume?: { center?: ArrayLike<number> };
}

/** The tileset layer's sub-layer props: its tiles drawn, or hidden while the coloured tiles are drawn instead. */
const TILES_SHOWN = {};
const TILES_HIDDEN = { scenegraph: { visible: false } };

/** Pick data of one tile: its geometry in the frame and its property table. */
interface TilePick {
  mesh: THREE.Mesh;
  featureIds: Float32Array;
  table: Record<string, (string | number | null)[]>;
  /** The tile in the frame, for drawing it coloured by an attribute. */
  enu: EnuMesh;
  /** A leaf: its buildings in full. */
  leaf: boolean;
  /** It holds terrain (triangles of no building). */
  hasGround: boolean;
}

/**
 * map-view-had-no-ground: without a base map the city stood on the sky's colour. A plain under it, as the model
 * view has: its colour as drawn there (the model view's plain, lit, reads rgb(195, 196, 176)), at `z` (the
 * content's lowest point, frame metres), out to 25 spans each way; never picked. `ambientLight`: the view's
 * ambient light intensity.
 */
function plainLayer(origin: [number, number], z: number, span: number, ambientLight: number): SimpleMeshLayer {
  const r = 25 * span;
  const positions = Float32Array.of(-r, -r, z, r, -r, z, r, r, z, -r, r, z);
  const normals = Float32Array.of(0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1);
  return new SimpleMeshLayer({
    id: 'plain',
    data: [0],
    coordinateSystem: COORDINATE_SYSTEM.METER_OFFSETS,
    coordinateOrigin: [origin[0], origin[1], 0],
    getPosition: () => [0, 0, 0],
    getColor: PLAIN_255,
    mesh: { attributes: { positions: { size: 3, value: positions }, normals: { size: 3, value: normals } }, indices: { size: 1, value: Uint32Array.of(0, 1, 2, 0, 2, 3) } } as never,
    // (lit by the ambient light alone, scaled back to its colour: the sun would shade it as it does the roofs)
    material: { ambient: 1 / ambientLight, diffuse: 0, shininess: 1, specularColor: [0, 0, 0] },
    pickable: false,
  });
}

/** The GLB map view's ambient light, and the tileset map view's (π times the scale: see TilesetMapViewer). */
const MAP_AMBIENT = 0.9, TILES_AMBIENT = 1.25;
/** The sun's intensity in the GLB map view and in the tileset map view. */
const MAP_SUN = 1.1, TILES_SUN = 1.72;
/** The highlight's material under the GLB map view's lights (the tileset view's scaled to its own). */
const HIGHLIGHT_MATERIAL = { ambient: 0.5, diffuse: 0.6, shininess: 16, specularColor: [20, 20, 20] as [number, number, number] };

/** The model view's plain as it is drawn there (lit). */
const PLAIN_255: [number, number, number] = [195, 196, 176];

/**
 * A tileset made with `--ellipsoidal-heights` (its frame's origin on the geoid, `frame.height` above the
 * ellipsoid) as the map draws it: the root transform lowered by that height along the origin's up axis,
 * so that its heights are above sea level, as the base map's ground and a GLB's map view have them.
 */
export function onTheEllipsoid(tileset: unknown): unknown {
  const t = tileset as { asset?: { extras?: { cityforge?: { frame?: { height?: number } } } }; root?: { transform?: number[] } } | null;
  const h = t?.asset?.extras?.cityforge?.frame?.height;
  const m = t?.root?.transform;
  if (!h || !Array.isArray(m) || m.length !== 16) return tileset;
  const lowered = m.slice();
  for (let a = 0; a < 3; a++) lowered[12 + a] -= h * m[8 + a];
  return { ...t, root: { ...t!.root, transform: lowered } };
}

/**
 * The deck.gl map view of a 3D Tiles tileset (Tile3DLayer). Per-building picking: each loaded tile's
 * GLB is also read with three.js into a ray-cast mesh in the frame; a click is cast against the tiles
 * deck.gl is showing, and the hit's feature id is looked up in that tile's table.
 */
export class TilesetMapViewer {
  readonly deck: Deck;
  private readonly picks = new Map<string, TilePick>();
  private tileset: { selectedTiles: SelectedTile[] } | null = null;
  /** The plain under the city where no base map is (map-view-had-no-ground). */
  private readonly plain: SimpleMeshLayer | null;

  /**
   * The tiles drawn and picked: coloured, those drawn from their pick data ({@link tilesToDraw}: REPLACE,
   * a tile gives way only to all of its children) and those selected still waiting for it; uncoloured,
   * those the tileset layer draws.
   * map-view-blocks-over-buildings: while the city is coloured the tileset layer's own meshes are hidden, and
   * loaders.gl then keeps every level selected at once (root, blocks and leaves): the coarse blocks were drawn
   * over the buildings in full, picked first, and waited for.
   */
  private shownTiles(): SelectedTile[] {
    const selected = this.tileset?.selectedTiles ?? [];
    // (out of the view: loaders.gl's visibility, only as it judged it this frame; a tile not looked at since a
    // closer view kept "out of the view" there: map-view-left-a-block-out)
    const culled = (t: SelectedTile) => t.isVisible === false && t._frameNumber === (t.tileset?._frameNumber ?? NaN);
    if (this.colouring) return tilesToDraw(selected, (t) => this.picks.has(t.id), culled);
    // (uncoloured, the tileset layer draws its own meshes: the tiles it draws, each in place of its
    // ancestors, are what is picked)
    const covered = new Set<string>();
    for (const t of selected) {
      if (!this.picks.has(t.id)) continue;
      for (let a = t.parent; a; a = a.parent) covered.add(a.id);
    }
    return selected.filter((t) => !covered.has(t.id));
  }
  private readonly raycaster = new THREE.Raycaster();
  private readonly origin: [number, number];
  /** The frame's east-north-up metres to ECEF (the root tile's transform, as drawn), or null. */
  private readonly frameToEcef: Matrix4 | null;

  private readonly tileProps: Record<string, unknown>;
  private lit: { tile: string; id: number } | null = null;

  private base: Promise<BaseMap | null> | null = null;
  private readonly home: Record<string, number | number[]>;

  constructor(private readonly el: HTMLElement, url: string, origin: [number, number], radius: number, onClick: (hit: { table: Record<string, (string | number | null)[]>; id: number } | null) => void, onHover: (hit: { table: Record<string, (string | number | null)[]>; id: number } | null) => void = () => {}, basemap: BaseMapSource | null = null, root: unknown = null, altitude = 0, bottom = altitude) {
    this.origin = origin;
    root = onTheEllipsoid(root);
    const transform = (root as { root?: { transform?: number[] } } | null)?.root?.transform;
    this.frameToEcef = Array.isArray(transform) && transform.length === 16 ? new Matrix4(transform) : null;
    // (at the box's bottom: the lowest the tiles reach)
    this.plain = basemap ? null : plainLayer(origin, bottom - 0.05, 2 * radius, TILES_AMBIENT);
    const fit = fitHome(el, origin, radius, HOME_BEARING);
    // tileset-map-went-blank: the camera looks at an altitude inside the city's box (deck.gl's default, 0 m,
    // lay under SF's hills, so zooming in took the camera into them): a quarter of the box's height up, where
    // the ground of a city on hills lies (the tiles' surface is not known until they load)
    this.home = { longitude: fit.longitude, latitude: fit.latitude, zoom: fit.zoom, pitch: 50, bearing: HOME_BEARING, position: [0, 0, altitude] };
    // tileset-map-view-grey: luma.gl's glTF PBR shader already writes sRGB (its final pow(1/2.2)); encoding
    // it once more, then dimming the lights to make up for it, left the city a flat grey (chroma 7 against
    // the model view's 21). Its Lambert term divides by π, which three.js's light units fold in: the lights
    // are π times the model view's scale, for its brightness and colour (luma 152 against 153, chroma 13)
    // map-view-roofs-dark: deck.gl's glTF shader sees the tiles' normals upside down (roofs facing −z), so
    // the sun given in the map's axes shone from below the horizon: roofs had the ambient light only, darker
    // than the walls. map-view-brighter-than-the-model-view: with the sun from above, the buildings came out a
    // sixth brighter than the model view's (luma 183 against 158 over the buildings alone; the comparison
    // had counted the model view's plain): the lights a fifth lower (luma 168)
    const lighting = sunLighting(TILES_AMBIENT, TILES_SUN, 'tiles');
    this.tileProps = {
      id: 'tileset',
      data: url,
      loader: Tiles3DLoader,
      loadOptions: {
        '3d-tiles': { loadGLTF: true },
        // tileset-map-view-downloaded-while-idle: loaders.gl's 32 MB cache evicted a 24 MB city's tiles (bigger
        // on the GPU) and fetched them again, over and over
        // tileset-map-view-slow-to-refine: the same screen-space error as the model view's (3DTilesRendererJS's 16
        // px; loaders.gl's default, 8, refined twice as deep: at the first view of SF the map view waited for
        // 16 leaf tiles, 31 s in software WebGL, where the model view drew 4 blocks)
        tileset: { maximumMemoryUsage: 512, maximumScreenSpaceError: TILESET_SSE },
        // each content's bytes kept for its pick data (it was downloaded a second time for that)
        fetch: async (input: string, init?: RequestInit) => {
          // the root tileset, already read by the page, from memory
          if (root && sameUrl(input, url)) return jsonResponse(root, input);
          const res = await fetch(input, init);
          // (keyed without the query: loaders.gl adds the tileset's version, `?v=1`, to what it fetches)
          if (res.ok && /\.glb(\?|$)/i.test(input)) this.downloaded.set(input.split('?')[0], await res.clone().arrayBuffer());
          return res;
        },
      },
      onTilesetLoad: (ts: unknown) => (this.tileset = ts as never),
      onTileLoad: (tile: { id: string; contentUrl: string; children?: unknown[] }) => void this.loadPick(tile),
    };
    this.deck = new Deck({
      parent: el,
      views: new MapView({ repeat: false }),
      initialViewState: this.home,
      controller: { type: CityMapController, scrollZoom: { speed: DECK_SCROLL_SPEED, smooth: false } },
      // tileset-map-camera-ignored-the-terrain: the camera looks at the ground under the view's centre, as
      // the GLB map view does (over a hill above the home altitude, zooming in took the camera into it)
      onViewStateChange: ({ viewState }: { viewState: Record<string, unknown> & { longitude: number; latitude: number } }) => this.followGround(viewState),
      effects: [lighting],
      parameters: { clearColor: basemap ? [0, 0, 0, 0] : [0.87, 0.9, 0.93, 1] } as never,
      // (no MSAA in software WebGL: software-rendering-was-sluggish)
      deviceProps: { webgl: { antialias: antialiasing(), preserveDrawingBuffer: true } },
      useDevicePixels: renderScale(),
      onLoad: () => enlargeSharply(this.deck?.getCanvas()),
      layers: this.layers(),
      onAfterRender: () => {
        drew('map');
        this.onView?.();
        followDeck(this.base, this.deck);
        // the coloured tiles follow what the tileset layer selects as the camera moves
        if (this.colouredStale()) this.deck.setProps({ layers: this.layers() as never });
      },
    } as never);
    if (basemap) this.base = underneath(el, basemap, this.deck);
    onMapClick(el, (x, y) => onClick(pickNear((px, py) => this.pick(px, py), x, y)));
    // hover: the building under the pointer is drawn again over its tile, in the highlight colour
    onPointerHover(el, (x, y) => {
      const r = el.getBoundingClientRect();
      const hit = this.pickHit(x - r.left, y - r.top);
      onHover(hit && { table: hit.table, id: hit.id });
      const lit = hit && { tile: hit.tile, id: hit.id };
      if (lit?.tile === this.lit?.tile && lit?.id === this.lit?.id) return;
      this.lit = lit;
      this.deck.setProps({ layers: this.layers() as never });
    });
  }

  /** The colour-by in use: each tile's colours from its own table (null: the tiles as they are). */
  private colouring: ((table: Record<string, (string | number | null)[]>) => (id: number) => [number, number, number]) | null = null;
  private colourVersion = 0;
  /** Per tile, its vertices' colours under {@link colouring}. */
  private readonly colourCache = new Map<string, Float32Array>();
  /** The tiles drawn coloured at the last frame (their ids): the layers follow the tileset's selection. */
  private colouredKey = '';

  /**
   * Colour every building by `colourFor(table)(row)`, each tile by its own table, or back to the tiles as
   * they are with null. Coloured, the tiles deck.gl selects are drawn from their pick data as the GLB map
   * view draws a city (the same palette and light as there); the tileset layer still chooses and loads them.
   */
  setColouring(colourFor: ((table: Record<string, (string | number | null)[]>) => (id: number) => [number, number, number]) | null): void {
    this.colouring = colourFor;
    this.colourCache.clear();
    this.colourVersion++;
    this.deck.setProps({ layers: this.layers() as never });
  }

  /** The legend's filter: the buildings each tile keeps, by its own table (null: all). */
  private visibleFor: ((table: Record<string, (string | number | null)[]>) => (id: number) => boolean) | null = null;
  /** Per tile, its drawn triangles under {@link visibleFor}. */
  private readonly visibleCache = new Map<string, Uint32Array>();

  /** Draw (and pick) only the buildings `visibleFor(table)` keeps in each tile (drawn coloured: it goes with colour-by); all with null. */
  setVisible(visibleFor: ((table: Record<string, (string | number | null)[]>) => (id: number) => boolean) | null): void {
    this.visibleFor = visibleFor;
    this.visibleCache.clear();
    this.colourVersion++;
    this.deck.setProps({ layers: this.layers() as never });
  }

  /** A tile's triangles to draw: all but the textured ones, less the buildings the filter hides. */
  private drawIndicesOf(id: string, p: TilePick): Uint32Array {
    if (!this.visibleFor) return p.enu.drawIndices;
    let out = this.visibleCache.get(id);
    if (!out) {
      const keep = this.visibleFor(p.table);
      const src = p.enu.drawIndices;
      const tmp = new Uint32Array(src.length);
      let n = 0;
      for (let t = 0; t < src.length; t += 3) {
        const f = p.featureIds[src[t]];
        if (f >= 0 && !keep(f)) continue;
        tmp[n++] = src[t];
        tmp[n++] = src[t + 1];
        tmp[n++] = src[t + 2];
      }
      out = tmp.slice(0, n);
      this.visibleCache.set(id, out);
    }
    return out;
  }

  /** The tiles on screen, coloured: their untextured triangles with vertex colours, their textured ground as it is. */
  private colourLayers(): unknown[] {
    const out: unknown[] = [];
    const of = this.colouring;
    const ids: string[] = [];
    if (!of || !this.tileset) return out;
    // (the lights are the PBR tiles', π times the GLB map view's: the material scales them back)
    const material = { ambient: 0.28, diffuse: 0.3, shininess: 16, specularColor: [10, 10, 10] };
    for (const t of this.shownTiles()) {
      const p = this.picks.get(t.id);
      if (!p) continue;
      ids.push(t.id);
      let colors = this.colourCache.get(t.id);
      if (!colors) {
        const colourOf = of(p.table);
        colors = p.enu.colors.slice();
        for (let v = 0; v < p.featureIds.length; v++) if (p.featureIds[v] >= 0) colors.set(colourOf(p.featureIds[v]), 3 * v);
        this.colourCache.set(t.id, colors);
      }
      const common = { data: [0], coordinateSystem: COORDINATE_SYSTEM.METER_OFFSETS, coordinateOrigin: [this.origin[0], this.origin[1], 0], getPosition: () => [0, 0, 0], getColor: [255, 255, 255], pickable: false };
      out.push(new SimpleMeshLayer({ ...common, id: `coloured-${t.id}-${this.colourVersion}`, mesh: { attributes: { positions: { size: 3, value: p.enu.positions }, normals: { size: 3, value: p.enu.normals }, colors: { size: 3, value: colors }, texCoords: { size: 2, value: p.enu.rise } }, indices: { size: 1, value: this.drawIndicesOf(t.id, p) } } as never, material, extensions: [CONTACT_SHADING] } as never));
      p.enu.textured.forEach((g, k) =>
        out.push(new SimpleMeshLayer({ ...common, id: `coloured-ground-${t.id}-${k}`, texture: g.image as never, textureParameters: GROUND_SAMPLER, mesh: { attributes: { positions: { size: 3, value: g.positions }, normals: { size: 3, value: g.normals }, texCoords: { size: 2, value: g.texCoords } }, indices: { size: 1, value: g.indices } } as never, material: { ambient: 0.34, diffuse: 0.25, shininess: 4, specularColor: [0, 0, 0] } } as never)),
      );
    }
    this.colouredKey = ids.join(' ');
    return out;
  }

  /** Whether the tiles deck.gl selects differ from those drawn coloured. */
  private colouredStale(): boolean {
    if (!this.colouring || !this.tileset) return false;
    return this.shownTiles().filter((t) => this.picks.has(t.id)).map((t) => t.id).join(' ') !== this.colouredKey;
  }

  /** The tileset layer (hidden while coloured: it still chooses and loads the tiles), the coloured tiles, and over them the highlighted building (if any). */
  private layers(): unknown[] {
    // (constant objects: a new one at every hover would rebuild every tile's layer)
    const out: unknown[] = [...(this.plain ? [this.plain] : []), new Tile3DLayer({ ...this.tileProps, _subLayerProps: this.colouring ? TILES_HIDDEN : TILES_SHOWN } as never), ...this.colourLayers()];
    const sel = this.selectedHit();
    if (sel) out.push(this.litLayer(sel, 'selected'));
    const hov = this.lit;
    if (hov && this.picks.has(hov.tile) && !(sel && sel.tile === hov.tile && sel.id === hov.id)) out.push(this.litLayer(hov, 'hovered'));
    return out;
  }

  /** The building selected (by its id), in the tile deck.gl shows now that holds it (a leaf first), or null. */
  private selectedHit(): { tile: string; id: number } | null {
    if (this.selectedId === null) return null;
    let found: { tile: string; id: number } | null = null;
    for (const t of this.shownTiles()) {
      const p = this.picks.get(t.id);
      const row = p ? (p.table['id'] ?? []).findIndex((v) => String(v) === this.selectedId) : -1;
      if (row >= 0 && (!found || p!.leaf)) found = { tile: t.id, id: row };
      if (found && p?.leaf) break;
    }
    return found;
  }

  /** Meshes of the highlighted buildings, by tile and row (the same object while it stays: not uploaded again), and where they are drawn from. */
  private readonly litMeshes = new Map<string, ReturnType<typeof buildingMesh> & { origin: [number, number, number] }>();

  /** A building's triangles drawn again over its tile in the highlight colour. */
  private litLayer(lit: { tile: string; id: number }, which: 'selected' | 'hovered'): unknown {
    // (coloured, the tiles are drawn from their pick data about the frame's origin, and so is the highlight)
    const key = `${lit.tile} ${lit.id}${this.colouring ? ' coloured' : ''}`;
    let mesh = this.litMeshes.get(key);
    if (!mesh) {
      if (this.litMeshes.size > 8) this.litMeshes.clear();
      mesh = { ...buildingMesh(this.picks.get(lit.tile)!, lit.id), origin: [this.origin[0], this.origin[1], 0] as [number, number, number] };
      mesh.normals = toTilesAxes(mesh.normals.slice());
      // tiles-highlight-lost-its-walls: deck.gl's tileset layer draws a tile in metres about the tile's own centre;
      // drawn about the frame's origin, the highlight stood a little apart from the tile's faces, and walls facing
      // one way were hidden behind the tile's own. It is drawn about the same centre.
      const tile = this.tileset?.selectedTiles.find((t) => t.id === lit.tile);
      const c = tile?.content?.cartographicOrigin, centre = tile?.boundingVolume?.center;
      if (!this.colouring && this.frameToEcef && c && centre) {
        const toTile = Ellipsoid.WGS84.eastNorthUpToFixedFrame([centre[0], centre[1], centre[2]]).invert().multiplyRight(this.frameToEcef);
        mesh.positions = Float32Array.from(transformPoints(toTile, mesh.positions));
        mesh.origin = [c[0], c[1], c[2]];
      }
      this.litMeshes.set(key, mesh);
    }
    // (tiles-highlight-glared: under the tileset view's stronger lights, made for the glTF shader, the GLB
    // view's material clipped the cyan flat and bright; scaled by the lights' ratio, it is lit as there)
    return highlightLayer(`highlight-${which}-${key}`, mesh.origin, which, { attributes: { positions: { size: 3, value: mesh.positions }, normals: { size: 3, value: mesh.normals } } }, { ambient: (HIGHLIGHT_MATERIAL.ambient * MAP_AMBIENT) / TILES_AMBIENT, diffuse: (HIGHLIGHT_MATERIAL.diffuse * MAP_SUN) / TILES_SUN, shininess: HIGHLIGHT_MATERIAL.shininess, specularColor: HIGHLIGHT_MATERIAL.specularColor });
  }

  /** The selected building (its `id` attribute), highlighted in whichever drawn tile holds it; none with null. */
  setSelected(id: string | null): void {
    if (id === this.selectedId) return;
    this.selectedId = id;
    this.deck.setProps({ layers: this.layers() as never });
  }

  private selectedId: string | null = null;

  /** Whether the base map (if any) is still loading what it shows. */
  async baseMapLoading(): Promise<boolean> {
    const b = await this.base;
    return !!b && b.loading();
  }

  private resets = 0;

  /** Back to the first view of the tileset. */
  resetCamera(): void {
    this.deck.setProps({ initialViewState: { ...this.home, resets: ++this.resets } as never });
  }

  /** Called when a tile's pick data (and table) is ready: a building being found may have arrived. */
  onTableLoaded: (() => void) | null = null;

  /** The building with this `id` in a tile deck.gl shows now (with `leafOnly`, a leaf: in full), or null. */
  find(id: string, leafOnly = false): { table: Record<string, (string | number | null)[]>; id: number } | null {
    for (const t of this.shownTiles()) {
      const p = this.picks.get(t.id);
      if (leafOnly && !p?.leaf) continue;
      const row = p ? (p.table['id'] ?? []).findIndex((v) => String(v) === id) : -1;
      if (row >= 0) return { table: p!.table, id: row };
    }
    return null;
  }

  /** The camera as both views understand it (null before deck.gl's first frame). */
  viewCamera(): ViewCamera | null {
    if (!(this.deck as unknown as { isInitialized?: boolean }).isInitialized) return null;
    const vp = this.deck.getViewports()[0] as (Viewport & { longitude: number; latitude: number; zoom: number; pitch: number; bearing: number; position?: number[] }) | undefined;
    return vp ? mapToViewCamera(this.el, this.origin, { longitude: vp.longitude, latitude: vp.latitude, zoom: vp.zoom, pitch: vp.pitch, bearing: vp.bearing, position: vp.position ?? [0, 0, 0] } as MapViewState) : null;
  }

  /** Look as `c` says (the model view's camera), within the map's limits. */
  setViewCamera(c: ViewCamera): void {
    this.deck.setProps({ initialViewState: { ...this.home, ...viewCameraToMap(this.el, this.origin, c), resets: ++this.resets } as never });
  }

  /** Look at frame point `e` (east, north, up) from `distance` metres, keeping the bearing and tilt. */
  flyTo(e: THREE.Vector3, distance = 120): void {
    const vp = this.deck.getViewports()[0] as (Viewport & { bearing: number; pitch: number }) | undefined;
    const pitch = Math.min(vp?.pitch ?? 50, FLY_TO_MAX_TILT);
    const at = viewCameraToMap(this.el, this.origin, { target: [e.x, e.y, e.z], distance, bearing: vp?.bearing ?? 0, pitch });
    this.deck.setProps({ initialViewState: { ...this.home, ...at, bearing: vp?.bearing ?? at.bearing, pitch, resets: ++this.resets } as never });
  }

  /** Tiles whose pick data is ready. */
  get loaded(): number {
    return this.picks.size;
  }

  /** Called after every frame drawn (the navigation overlay follows the map). */
  onView: (() => void) | null = null;

  /** The map's bearing and its ground metres per CSS pixel at the centre. */
  navState(): { bearing: number; metresPerPixel: number } | null {
    return deckNav(this.deck);
  }

  /** Turn the map north up: the same place, zoom and tilt. */
  northUp(): void {
    if (!(this.deck as unknown as { isInitialized?: boolean }).isInitialized) return;
    const vp = this.deck.getViewports()[0] as Viewport & { longitude: number; latitude: number; zoom: number; pitch: number };
    if (vp) this.deck.setProps({ initialViewState: { longitude: vp.longitude, latitude: vp.latitude, zoom: vp.zoom, pitch: vp.pitch, bearing: 0 } as never });
  }

  /** The tiles deck.gl draws now: how many, how many leaves, and from which levels (as the model view's). */
  drawnTiles(): DrawnTiles {
    return drawnTilesOf(this.shownTiles().map((t) => ({ leaf: !!this.picks.get(t.id)?.leaf, level: tileLevelOf(t.contentUrl) })));
  }

  /** Whether every tile deck.gl wants this frame is loaded and has its pick data: what is drawn stays until the camera moves. */
  settled(): boolean {
    const ts = this.tileset as unknown as { isLoaded(): boolean } | null;
    const shown = this.shownTiles();
    return !!ts && ts.isLoaded() && shown.length > 0 && shown.every((t) => this.picks.has(t.id));
  }

  /** Tile contents downloaded by the tileset layer, until their pick data is made. */
  private readonly downloaded = new Map<string, ArrayBuffer>();

  /**
   * The view state looking at the ground under its centre: the first terrain triangle (feature id −1)
   * straight down there, in the tiles drawn; as it is where no drawn tile has terrain (a tileset of
   * buildings alone keeps the home altitude).
   */
  private followGround(vs: Record<string, unknown> & { longitude: number; latitude: number }): Record<string, unknown> {
    const vp = this.viewport();
    if (!vp || !this.tileset) return vs;
    const e = enuOf(vp, this.origin, [vs.longitude, vs.latitude, 0]);
    this.raycaster.set(new THREE.Vector3(e.x, e.y, 1e5), new THREE.Vector3(0, 0, -1));
    let ground: number | null = null;
    for (const t of this.shownTiles()) {
      const p = this.picks.get(t.id);
      if (!p || !p.hasGround) continue;
      const hit = this.raycaster.intersectObject(p.mesh, false).find((h) => h.face && p.featureIds[h.face.a] < 0);
      if (hit && (ground === null || hit.point.z > ground)) ground = hit.point.z;
    }
    return ground === null ? vs : { ...vs, position: [0, 0, ground] };
  }

  private async loadPick(tile: { id: string; contentUrl: string; children?: unknown[] }): Promise<void> {
    const key = tile.contentUrl.split('?')[0];
    const kept = this.downloaded.get(key);
    this.downloaded.delete(key);
    if (this.picks.has(tile.id)) return;
    const model = kept ? await parseCity(kept) : await loadCity(tile.contentUrl);
    const enu = toEnu(model);
    // its own layers (coloured, the highlight) share the tiles' light: their normals in the frame deck.gl's
    // glTF shader sees the tiles' in (see sunLighting)
    toTilesAxes(enu.normals);
    for (const t of enu.textured) toTilesAxes(t.normals);
    const geom = new THREE.BufferGeometry();
    geom.setAttribute('position', new THREE.BufferAttribute(enu.positions, 3));
    geom.setIndex(new THREE.BufferAttribute(enu.indices, 1));
    this.picks.set(tile.id, { mesh: new THREE.Mesh(geom), featureIds: enu.featureIds, table: model.table, enu, leaf: !tile.children?.length, hasGround: enu.featureIds.some((f) => f < 0) });
    if (this.colouring) this.deck.setProps({ layers: this.layers() as never });
    Object.assign(this.titles, model.titles);
    this.onTableLoaded?.();
  }

  private viewport(): Viewport {
    return this.deck.getViewports()[0];
  }

  /** The display names of the tiles' columns read so far (`addr:street` for `addr_street`). */
  readonly titles: Record<string, string> = {};

  /** The building under canvas pixel (x, y) among the tiles on screen: its tile's table and row. */
  pick(x: number, y: number): { table: Record<string, (string | number | null)[]>; id: number } | null {
    const hit = this.pickHit(x, y);
    return hit && { table: hit.table, id: hit.id };
  }

  private pickHit(x: number, y: number): { tile: string; table: Record<string, (string | number | null)[]>; id: number } | null {
    const vp = this.viewport();
    if (!vp || !this.tileset) return null;
    rayAt(vp, this.origin, x, y, this.raycaster);
    let best: { d: number; tile: string; table: Record<string, (string | number | null)[]>; id: number } | null = null;
    for (const t of this.shownTiles()) {
      const p = this.picks.get(t.id);
      if (!p) continue;
      // (the nearest building the legend's filter shows: hidden ones are not drawn)
      const keep = this.visibleFor && this.colouring ? this.visibleFor(p.table) : null;
      const hit = this.raycaster.intersectObject(p.mesh, false).find((h) => h.face && (!keep || p.featureIds[h.face.a] < 0 || keep(p.featureIds[h.face.a])));
      if (!hit || !hit.face || (best && best.d <= hit.distance)) continue;
      const id = p.featureIds[hit.face.a];
      if (id >= 0) best = { d: hit.distance, tile: t.id, table: p.table, id };
    }
    return best && { tile: best.tile, table: best.table, id: best.id };
  }

  /** Page position of a frame point (east, north, up). */
  project(e: THREE.Vector3): { x: number; y: number } {
    return pageOf(this.viewport(), this.origin, this.el, e);
  }

  /** A building in a tile on screen and the page position of its roof's centre (for tests and demos). */
  someBuilding(): { x: number; y: number; id: string } | null {
    if (!this.tileset) return null;
    for (const t of this.shownTiles()) {
      const p = this.picks.get(t.id);
      if (!p) continue;
      const heights = p.table['height'] as number[];
      let bestId = -1;
      for (let i = 0; i < p.featureIds.length; i++) {
        const id = p.featureIds[i];
        if (id >= 0 && (bestId < 0 || heights[id] > heights[bestId])) bestId = id;
      }
      if (bestId < 0) continue;
      const pos = p.mesh.geometry.attributes.position;
      let maxZ = -Infinity;
      const pts: THREE.Vector3[] = [];
      for (let i = 0; i < p.featureIds.length; i++) {
        if (p.featureIds[i] !== bestId) continue;
        const v = new THREE.Vector3().fromBufferAttribute(pos, i);
        pts.push(v);
        maxZ = Math.max(maxZ, v.z);
      }
      const top = pts.filter((v) => v.z >= maxZ - 0.05);
      const c = top.reduce((a, v) => a.add(v), new THREE.Vector3()).divideScalar(top.length);
      const s = this.project(c);
      const r = this.el.getBoundingClientRect();
      if (!(s.x > r.left + 10 && s.x < r.right - 300 && s.y > r.top + 10 && s.y < r.bottom - 10)) continue;
      // what a pointer there picks (a finer tile drawn over a coarse one's block picks the finer building)
      const hit = this.pickHit(s.x - r.left, s.y - r.top);
      if (hit) return { ...s, id: String(hit.table['id'][hit.id]) };
    }
    return null;
  }

  /** The page position of the highest terrain point of the tiles drawn (for tests: the top of a hill); null without terrain. */
  highestGround(): { x: number; y: number; z: number } | null {
    if (!this.tileset) return null;
    let best: THREE.Vector3 | null = null;
    for (const t of this.shownTiles()) {
      const p = this.picks.get(t.id);
      if (!p || !p.hasGround) continue;
      const pos = p.enu.positions;
      for (let i = 0; i < p.featureIds.length; i++)
        if (p.featureIds[i] < 0 && (!best || pos[3 * i + 2] > best.z)) best = new THREE.Vector3(pos[3 * i], pos[3 * i + 1], pos[3 * i + 2]);
    }
    return best && { ...this.project(best), z: best.z };
  }
}
