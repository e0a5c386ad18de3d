import { drew } from './frames.js';
import * as THREE from 'three';
import { type ViewOptions, centreInFreePart, terrainShown, aimAt, orbitCloserAbout, sharpenGround, stageCameraState, type CameraState, createStage, fitContent, guardZoom, flyToDirection, fitStage, pageOfWorld, setStageCameraVector, setStageViewCamera, stageCameraVector, stageNav, stageNorthUp, stageViewCamera, topCentre, type Stage, type ViewCamera } from './stage.js';
import { TilesRenderer } from '3d-tiles-renderer';
import { GLTFExtensionsPlugin } from '3d-tiles-renderer/plugins';
import { MeshoptDecoder } from 'three/examples/jsm/libs/meshopt_decoder.module.js';
import { colourMeshes, decodeGlbTable, enableHighlight, filterMeshes, highlightMeshes, shadeContacts } from './model.js';

/** Whether two URLs (relative to the page) name the same resource, the query aside. */
export function sameUrl(a: string, b: string): boolean {
  const strip = (u: string) => {
    const x = new URL(u, location.href);
    return x.origin + x.pathname;
  };
  return strip(a) === strip(b);
}

/** A JSON document as the fetch response for `url` (loaders resolve the document's relative links from its `url`). */
export function jsonResponse(json: unknown, url: string): Response {
  const res = new Response(JSON.stringify(json), { status: 200, headers: { 'content-type': 'application/json' } });
  Object.defineProperty(res, 'url', { value: new URL(url, location.href).href });
  return res;
}

/** A loaded tile's property table and building meshes, kept on its scene. */
interface TileTable {
  table: Record<string, (string | number | null)[]>;
  meshes: THREE.Mesh[];
  /** A leaf: its buildings in full (a coarser tile holds them as boxes or blocks). */
  leaf?: boolean;
  /** Its level in the quadtree (0: the root), from its path (`tiles/<level>/<x>/<y>.glb`); NaN if another layout. */
  level?: number;
}

/** What the view draws now: tiles, how many of them leaves, and the levels they come from. */
export interface DrawnTiles {
  tiles: number;
  leaves: number;
  /** Lowest and highest level drawn (NaN when none, or the tiles' paths do not say). */
  minLevel: number;
  maxLevel: number;
}

/** What tiles drawn amount to: how many, how many leaves, the lowest and highest level (NaN levels unknown). */
export function drawnTilesOf(tiles: readonly { leaf: boolean; level: number }[]): DrawnTiles {
  let leaves = 0, minLevel = Infinity, maxLevel = -Infinity;
  for (const t of tiles) {
    if (t.leaf) leaves++;
    if (Number.isFinite(t.level)) (minLevel = Math.min(minLevel, t.level)), (maxLevel = Math.max(maxLevel, t.level));
  }
  return { tiles: tiles.length, leaves, minLevel: Number.isFinite(minLevel) ? minLevel : NaN, maxLevel: Number.isFinite(maxLevel) ? maxLevel : NaN };
}

/** A cityforge tile's level from its path (`…/tiles/<level>/<x>/<y>.glb`), else NaN. */
export function tileLevelOf(url: string): number {
  const m = /\/tiles\/(\d+)\/\d+\/\d+\.glb(\?|$)/.exec(url);
  return m ? Number(m[1]) : NaN;
}

/** A building in a loaded tile: the tile's scene, its table and the row. */
export interface TileHit {
  tile: THREE.Object3D;
  table: Record<string, (string | number | null)[]>;
  id: number;
}

/** The screen-space error (px) past which a tile is refined, in both views (3DTilesRendererJS's default). */
export const TILESET_SSE = 16;

/**
 * The three.js view of a 3D Tiles tileset (3DTilesRendererJS): the tileset placed back into its local
 * frame (ECEF → east-north-up → y-up), lights and ground as the model view, per-building picking from
 * each tile's EXT_structural_metadata table through its EXT_mesh_features ids.
 */
export class TilesetView {
  readonly renderer: THREE.WebGLRenderer;
  readonly camera: THREE.PerspectiveCamera;
  readonly scene: THREE.Scene;
  readonly tiles: TilesRenderer;
  private readonly stage: Stage;
  private readonly raycaster = new THREE.Raycaster();
  /** The display names of the tiles' columns read so far (`addr:street` for `addr_street`). */
  readonly titles: Record<string, string> = {};
  /** Tiles whose table is loaded. */
  loaded = 0;
  /** Tile tables still being fetched. */
  private pendingTables = 0;
  /** Tiles' bytes as downloaded, until their table is read. */
  private readonly downloaded = new Map<string, ArrayBuffer>();
  /** Something changed since the last frame drawn. */
  private needsRender = true;
  /** Frames drawn (tests check that an idle view draws none). */
  frames = 0;
  /** Called when a tile is no longer drawn (refined into its children, or out of view). */
  onTileHidden: ((scene: THREE.Object3D) => void) | null = null;
  /** Called when the set of tiles drawn changes (tileset-panel-did-not-say-what-is-drawn). */
  onDrawnChange: (() => void) | null = null;
  /** Called when the camera moves (a drag, the wheel, the keys, home, a flight). */
  onCameraChange: (() => void) | null = null;
    /** Called after each frame drawn (tiles may have come and gone since the last). */
  onRendered: (() => void) | null = null;

  /** Draw one more frame (and call {@link onRendered} after it) though nothing changed. */
  requestFrame(): void {
    this.needsRender = true;
  }
  /** The tiles' scenes drawn now. */
  private readonly drawn = new Set<THREE.Object3D>();

  constructor(private readonly el: HTMLElement, url: string, tileset: { root: { boundingVolume: { box: number[] } }; asset: { extras?: { cityforge?: { frame?: { enuToEcef: number[] }; buildingsBox?: number[] } } } }, options: ViewOptions = {}) {
    // the root box (frame metres, z up) → glTF axes for the stage
    const b = tileset.root.boundingVolume.box;
    // (tileset-orbit-point-in-mid-air: the view turns about the box's floor, not its middle, until the
    // ground under it is drawn; see below)
    this.stage = createStage(el, new THREE.Vector3(b[0], b[2] - b[11], -b[1]), Math.max(2 * b[3], 2 * b[7], 50), b[2] - b[11], b[2] + b[11]);
    this.floor = b[2] - b[11];
    ({ renderer: this.renderer, camera: this.camera, scene: this.scene } = this.stage);
    this.tiles = new TilesRenderer(url);
    this.tiles.errorTarget = TILESET_SSE;
    this.tiles.registerPlugin(new GLTFExtensionsPlugin({ meshoptDecoder: MeshoptDecoder }));
    // keep each tile's bytes as they are downloaded, for its property table (no second request)
    const downloaded = this.downloaded;
    this.tiles.registerPlugin({
      name: 'cityforge-keep-bytes',
      fetchData: (u: string, options: RequestInit) =>
        // tileset-json-fetched-twice: the root tileset, already read by the page, is answered from memory
        sameUrl(u, url) ? Promise.resolve(jsonResponse(tileset, u)) : fetch(u, options).then(async (r) => {
          if (!r.ok || !/\.glb(\?|$)/i.test(u)) return r;
          const buf = await r.arrayBuffer();
          downloaded.set(u, buf);
          return new Response(buf, { status: r.status, headers: r.headers });
        }),
    } as never);
    const enuToEcef = new THREE.Matrix4().fromArray(tileset.asset.extras?.cityforge?.frame?.enuToEcef ?? new THREE.Matrix4().toArray());
    const zUpToYUp = new THREE.Matrix4().makeRotationX(-Math.PI / 2);
    this.tiles.group.matrixAutoUpdate = false;
    this.tiles.group.matrix.copy(zUpToYUp).multiply(enuToEcef.clone().invert());
    this.tiles.group.matrixWorldNeedsUpdate = true;
    this.scene.add(this.tiles.group);
    this.tiles.addEventListener('load-model', ({ scene, url: tileUrl, tile }: { scene: THREE.Object3D; url: string; tile?: { children?: unknown[] } }) => {
      const meshes: THREE.Mesh[] = [];
      (scene.userData as TileTable).leaf = !tile?.children?.length;
      (scene.userData as TileTable).level = tileLevelOf(tileUrl);
      scene.traverse((o) => {
        o.castShadow = o.receiveShadow = true;
        const m = o as THREE.Mesh;
        if (m.isMesh && m.geometry.attributes._feature_id_0) {
          enableHighlight(m);
          meshes.push(m);
        } else if (m.isMesh) {
          sharpenGround(this.stage, m);
          terrainShown(this.stage);
        }
      });
      // walls darken towards their foot (tile content is east-north-up, y up)
      shadeContacts(meshes);
      (scene.userData as TileTable).meshes = meshes;
      this.pendingTables++;
      // the table from the bytes the renderer downloaded (kept by the plugin below): one request per tile
      const kept = this.downloaded.get(tileUrl);
      this.downloaded.delete(tileUrl);
      (kept ? Promise.resolve(kept) : fetch(tileUrl).then((r) => r.arrayBuffer()))
        .then((buf) => {
          const decoded = decodeGlbTable(buf);
          (scene.userData as TileTable).table = decoded.table;
          Object.assign(this.titles, decoded.titles);
          // a tile arriving while the city is coloured by an attribute comes coloured
          if (this.colouring) this.colourTile(scene);
          if (this.visibleFor) filterMeshes((scene.userData as TileTable).meshes ?? [], this.visibleFor(decoded.table));
          this.loaded++;
          this.onTableLoaded?.();
        })
        .finally(() => {
          this.pendingTables--;
          this.needsRender = true;
        });
    });
    this.tiles.addEventListener('tile-visibility-change', ({ scene, visible }: { scene: THREE.Object3D; visible: boolean }) => {
      this.needsRender = true;
      if (scene) {
        if (visible) this.drawn.add(scene);
        else this.drawn.delete(scene);
        this.onDrawnChange?.();
      }
      if (!visible && scene) this.onTileHidden?.(scene);
      // a tile drawn again (its table read before) may hold a building being looked for
      if (visible && scene && (scene.userData as TileTable).table) this.onTableLoaded?.();
    });
    this.tiles.setCamera(this.camera);
    this.stage.controls.addEventListener('change', () => {
      this.needsRender = true;
      this.onCameraChange?.();
    });
    // a wheel step never takes the camera into a building or the terrain under the pointer
    const ray = new THREE.Raycaster();
    ray.firstHitOnly = true;
    guardZoom(this.stage, (x, y) => {
      const hit = aimAt(ray, this.camera, this.renderer.domElement, x, y).intersectObject(this.tiles.group, true)[0];
      return hit ? hit.distance : null;
    }, this.stage.controls.minDistance);
    this.resize();
    // tileset-phone-did-not-fit: on a portrait screen the first view steps back until the tileset's root box
    // is on it; first-view-cropped-the-tileset: on a landscape one until its buildings are (cityforge's
    // tilesets name their box; the root box holds the terrain's margin too), beside the open panel
    const h = [Math.abs(b[3]) + Math.abs(b[6]) + Math.abs(b[9]), Math.abs(b[4]) + Math.abs(b[7]) + Math.abs(b[10]), Math.abs(b[5]) + Math.abs(b[8]) + Math.abs(b[11])];
    const bb = tileset.asset.extras?.cityforge?.buildingsBox;
    const fitBox = this.camera.aspect >= 1 && bb?.length === 6
      ? new THREE.Box3(new THREE.Vector3(bb[0], bb[2], -bb[4]), new THREE.Vector3(bb[3], bb[5], -bb[1]))
      : new THREE.Box3(new THREE.Vector3(b[0] - h[0], b[2] - h[2], -b[1] - h[1]), new THREE.Vector3(b[0] + h[0], b[2] + h[2], -b[1] + h[1]));
    if (this.camera.aspect < 1 || bb?.length === 6) fitContent(this.stage, fitBox, { coveredRight: options.coveredRight ?? 0 });
    // tileset-orbit-point-in-mid-air: the first view turned about the middle of the root box (46 m above
    // SF's streets): once the first tile with ground under the orbit point is drawn, the first view (and
    // home) turns about that ground — unless the camera has moved (a drag, a link's camera) meanwhile
    const first = this.camera.position.clone(), firstTarget = this.stage.controls.target.clone();
    // (looked for after each frame drawn: a tile's model loads before it is drawn in the tileset's group)
    let raise = true;
    const ground = () => {
      const c = this.stage.controls;
      if (!c.target.equals(firstTarget) || !this.camera.position.equals(first)) return void (raise = false);
      const y = this.terrainAt(c.target.x, c.target.z);
      if (y === null) return;
      const dy = y - c.target.y;
      c.target.y += dy;
      this.camera.position.y += dy;
      c.update();
      c.saveState();
      this.needsRender = true;
      raise = false;
    };
    // draw while tiles load or the camera moves; idle, nothing is drawn (no busy loop with shadows)
    const loop = () => {
      // (while tiles load and nothing has changed, the tiles are asked for what to load next without a
      // frame drawn: a frame in software rendering costs 0.2 s of a core)
      if (!this.needsRender && !this.settled()) {
        this.camera.updateMatrixWorld();
        this.tiles.update();
      }
      if (this.needsRender) {
        this.needsRender = false;
        this.render();
        if (raise) ground();
        this.onRendered?.();
      }
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  }

  /** The tiles drawn now: how many, how many leaves, and from which levels. */
  drawnTiles(): DrawnTiles {
    return drawnTilesOf([...this.drawn].map((scene) => ({ leaf: !!(scene.userData as TileTable).leaf, level: (scene.userData as TileTable).level ?? NaN })));
  }

  /** Whether a tile's scene is a leaf (its buildings in full). */
  isLeaf(scene: THREE.Object3D): boolean {
    return !!(scene.userData as TileTable).leaf;
  }

  /** Whether nothing is being downloaded, parsed or read for picking: what is drawn stays as it is until the camera moves. */
  settled(): boolean {
    const s = (this.tiles as unknown as { stats: { queued: number; downloading: number; parsing: number } }).stats;
    return !(this.tiles as unknown as { isLoading: boolean }).isLoading && s.queued + s.downloading + s.parsing === 0 && this.pendingTables === 0 && this.loaded > 0;
  }

  resize(): void {
    fitStage(this.el, this.stage);
    this.tiles.setResolutionFromRenderer(this.camera, this.renderer);
    this.needsRender = true;
  }

  /** Called after every frame drawn (the navigation overlay follows the camera). */
  onView: (() => void) | null = null;

  render(): void {
    this.camera.updateMatrixWorld();
    this.tiles.update();
    this.stage.updateShadows();
    this.renderer.render(this.scene, this.camera);
    this.frames++;
    drew('model');
    this.onView?.();
  }

  /** The compass bearing the camera looks towards, and the ground metres per CSS pixel at its target. */
  navState(): { bearing: number; metresPerPixel: number } {
    return stageNav(this.stage);
  }

  /** The camera's position and target (a link's `cam`). */
  get cameraVector(): number[] {
    return stageCameraVector(this.stage);
  }

  /** Put the camera where {@link cameraVector} was. */
  set cameraVector(v: number[]) {
    if (setStageCameraVector(this.stage, v)) this.needsRender = true;
  }

  /** Called when a tile's table has been read (a linked building may have arrived). */
  onTableLoaded: (() => void) | null = null;

  /** Every loaded tile whose table holds `id`: its level, whether a leaf, whether drawn now (for the tests' reports). */
  tilesHolding(id: string): { level: number; leaf: boolean; drawn: boolean }[] {
    const out: { level: number; leaf: boolean; drawn: boolean }[] = [];
    this.tiles.forEachLoadedModel((scene: THREE.Object3D) => {
      const t = scene.userData as TileTable;
      if (t.table && (t.table['id'] ?? []).some((v) => String(v) === id)) out.push({ level: t.level ?? NaN, leaf: !!t.leaf, drawn: this.drawn.has(scene) });
    });
    return out;
  }

  /** The building with this `id` in a tile drawn now (with `leafOnly`, a leaf: in full), or null. */
  find(id: string, leafOnly = false): TileHit | null {
    let found: TileHit | null = null;
    this.tiles.group.traverse((o) => {
      const table = (o.userData as TileTable).table;
      if (found || !table || !o.visible || (leafOnly && !(o.userData as TileTable).leaf)) return;
      const row = (table['id'] ?? []).findIndex((v) => String(v) === id);
      if (row >= 0) found = { tile: o, table, id: row };
    });
    return found;
  }

  /** The camera as both views understand it. */
  viewCamera(): ViewCamera {
    return stageViewCamera(this.stage);
  }

  /** Look as `c` says (the map view's camera). */
  setViewCamera(c: ViewCamera): void {
    setStageViewCamera(this.stage, c);
    this.needsRender = true;
  }

  /** Look at frame point (x east, y north, z up) from `distance` metres, from where the camera looks now. */
  flyTo(x: number, y: number, z: number, distance = 120): void {
    const c = this.stage.controls;
    const target = new THREE.Vector3(x, z, -y);
    const dir = flyToDirection(this.camera.position.clone().sub(c.target)).setLength(distance);
    c.target.copy(target);
    this.camera.position.copy(target).add(dir);
    c.update();
    centreInFreePart(this.stage);
    this.needsRender = true;
  }

  /** The box's floor (glTF y): the ground where no terrain is drawn. */
  private readonly floor: number;

  /** The drawn terrain's height (glTF y) under glTF point (x, z) — its meshes without feature ids, not a roof — or null. */
  private terrainAt(x: number, z: number): number | null {
    this.scene.updateMatrixWorld(true);
    const down = new THREE.Raycaster(new THREE.Vector3(x, 1e6, z), new THREE.Vector3(0, -1, 0));
    const hit = down.intersectObject(this.tiles.group, true).find((h) => !(h.object as THREE.Mesh).geometry?.attributes?._feature_id_0);
    return hit ? hit.point.y : null;
  }

  /** The ground (glTF y) under glTF point (x, z): the drawn terrain's, else the box's floor. */
  groundAt(x: number, z: number): number {
    return this.terrainAt(x, z) ?? this.floor;
  }

  /** The camera: position, orbit point, tilt from the vertical, heights above the ground under each. */
  cameraState(): CameraState {
    return stageCameraState(this.stage, (x, z) => this.groundAt(x, z));
  }

  /**
   * Orbit around what is under page pixel (x, y) — a roof, the ground — from closer by (double-click;
   * tileset-double-click-did-nothing: the GLB's model view did this, the tileset's did not).
   */
  focusAt(x: number, y: number): boolean {
    // double-click-on-the-plain-did-nothing: the plain around the city is somewhere to go too
    const ray = aimAt(new THREE.Raycaster(), this.camera, this.renderer.domElement, x, y);
    const hit = ray.intersectObject(this.tiles.group, true)[0] ?? ray.intersectObject(this.stage.plain, false)[0];
    if (!hit) return false;
    orbitCloserAbout(this.stage, hit.point);
    this.needsRender = true;
    return true;
  }

  /** Back to the first view of the tileset. */
  resetCamera(): void {
    this.stage.controls.reset();
    this.needsRender = true;
  }

  /** Turn the view north up. */
  northUp(): void {
    stageNorthUp(this.stage);
  }

  /**
   * A building drawn now (the tallest in the first visible tile that has its table) and the page
   * position of the centre of its top: for tests and demos.
   */
  /** Whether the plain under the tileset takes shadows (not once a terrain tile is drawn). */
  get plainTakesShadows(): boolean {
    return this.stage.plain.receiveShadow;
  }

  someBuilding(): { x: number; y: number; id: string } | null {
    let found: { x: number; y: number; id: string } | null = null;
    this.scene.updateMatrixWorld(true);
    this.tiles.group.traverse((o) => {
      if (found || !(o as THREE.Mesh).isMesh || !o.visible) return;
      const m = o as THREE.Mesh;
      const f = m.geometry.attributes._feature_id_0;
      let t: THREE.Object3D | null = m;
      while (t && !(t.userData as TileTable).table) t = t.parent;
      if (!f || !t) return;
      const table = (t.userData as TileTable).table;
      const heights = table['height'] as number[];
      let best = -1;
      for (let i = 0; i < f.count; i++) {
        const id = Math.round(f.getX(i));
        if (best < 0 || heights[id] > heights[best]) best = id;
      }
      const top = topCentre([m], best);
      if (!top) return;
      const c = top.clone().project(this.camera);
      if (!(Math.abs(c.x) < 0.95 && Math.abs(c.y) < 0.95)) return;
      // what a pointer there picks (a tile drawn over another picks its own building)
      const at = pageOfWorld(this.camera, this.renderer.domElement, top);
      const hit = this.pick(at.x, at.y);
      if (hit) found = { ...at, id: String(hit.table['id'][hit.id]) };
    });
    return found;
  }

  /** The colour-by in use: each tile's colours from its own table (null: the tiles' own materials). */
  private colouring: ((table: Record<string, (string | number | null)[]>) => (id: number) => [number, number, number]) | null = null;

  /**
   * Colour every building by `colourFor(table)(row)`, each tile by its own table (tiles loaded later
   * too), or back to the tiles' materials with null.
   */
  setColouring(colourFor: ((table: Record<string, (string | number | null)[]>) => (id: number) => [number, number, number]) | null): void {
    this.colouring = colourFor;
    this.tiles.group.traverse((o) => {
      if ((o.userData as TileTable).table) this.colourTile(o);
    });
    this.needsRender = true;
  }

  /** The legend's filter: the buildings each tile keeps, by its own table (null: all). */
  private visibleFor: ((table: Record<string, (string | number | null)[]>) => (id: number) => boolean) | null = null;

  /** Draw (and pick) only the buildings `visibleFor(table)` keeps in each tile (tiles loaded later too); all with null. */
  setVisible(visibleFor: ((table: Record<string, (string | number | null)[]>) => (id: number) => boolean) | null): void {
    this.visibleFor = visibleFor;
    this.tiles.group.traverse((o) => {
      const { table, meshes } = o.userData as TileTable;
      if (table) filterMeshes(meshes ?? [], visibleFor ? visibleFor(table) : null);
    });
    this.needsRender = true;
  }

  private colourTile(scene: THREE.Object3D): void {
    const { table, meshes } = scene.userData as TileTable;
    colourMeshes(meshes ?? [], this.colouring && table ? this.colouring(table) : null);
    if (this.selected?.tile === scene || this.hovered?.tile === scene) this.highlightTile(scene);
    this.needsRender = true;
  }

  private selected: TileHit | null = null;
  private hovered: TileHit | null = null;

  /** The selected and hovered buildings' colours in one tile (after its own, or the colour-by's). */
  private highlightTile(scene: THREE.Object3D): void {
    const id = (hit: TileHit | null) => (hit?.tile === scene ? hit.id : null);
    highlightMeshes((scene.userData as TileTable).meshes ?? [], id(this.selected), id(this.hovered));
  }

  /**
   * Highlight the selected building and, blended over its own colour, the one under the pointer, each in
   * its tile (or none); the previous ones are cleared.
   */
  highlight(selected: TileHit | null, hovered: TileHit | null = null): void {
    const same = (a: TileHit | null, b: TileHit | null) => a?.tile === b?.tile && a?.id === b?.id;
    if (same(selected, this.selected) && same(hovered, this.hovered)) return;
    const tiles = new Set([this.selected?.tile, this.hovered?.tile, selected?.tile, hovered?.tile]);
    this.selected = selected;
    this.hovered = hovered;
    for (const t of tiles) if (t) this.highlightTile(t);
    this.needsRender = true;
  }

  /** The building under page pixel (x, y): its tile, the tile's table and the row, or null. */
  pick(x: number, y: number): TileHit | null {
    for (const hit of aimAt(this.raycaster, this.camera, this.renderer.domElement, x, y).intersectObject(this.tiles.group, true)) {
      const g = (hit.object as THREE.Mesh).geometry;
      const f = g?.attributes?._feature_id_0;
      // (picked-through-the-terrain: the terrain, its skirts included, hides the buildings behind it)
      if (!f && isTerrain(hit.object)) return null;
      if (!f || !hit.face) continue;
      let o: THREE.Object3D | null = hit.object;
      while (o && !(o.userData as TileTable).table) o = o.parent;
      if (!o) continue;
      return { tile: o, table: (o.userData as TileTable).table, id: Math.round(f.getX(hit.face.a)) };
    }
    return null;
  }
}

/** Whether `o` is (part of) a tile's terrain: the GLB node `terrain` (its surface and skirts). */
function isTerrain(o: THREE.Object3D): boolean {
  for (let p: THREE.Object3D | null = o, k = 0; p && k < 4; p = p.parent, k++) if (p.name === 'terrain') return true;
  return false;
}
