import { drew } from './frames.js';
import * as THREE from 'three';
import { type ViewOptions, centreInFreePart, terrainShown, aimAt, orbitCloserAbout, sharpenGround, stageCameraState, type CameraState, buildingSpot, clampAboveGround, guardZoom, flyToDirection, createStage, fitContent, fitStage, pageOfWorld, setStageCameraVector, setStageViewCamera, stageCameraVector, stageNav, stageNorthUp, stageViewCamera, topCentre, type Stage, type ViewCamera } from './stage.js';
import { FeatureTriangles, contactMaterial, featureColours, featureIdOfHit, filterMeshes, highlightMaterial, indexForPicking, shadeContacts, type CityModel } from './model.js';
import { HOVER_MIX, type Rgb } from './style-by.js';

/** The three.js model view: orbit/pan/zoom, a sun with shadows, ground, picking by ray cast. */
export class ModelView {
  readonly renderer: THREE.WebGLRenderer;
  readonly camera: THREE.PerspectiveCamera;
  readonly scene: THREE.Scene;
  private readonly stage: Stage;
  private readonly raycaster = new THREE.Raycaster();
  /** What a ray from the camera can hit: the buildings and the terrain (which hides what lies behind it). */
  private surfaces: THREE.Object3D[] = [];
  private readonly triangles: FeatureTriangles;
  private readonly litMaterial = highlightMaterial();
  private readonly hoverMaterial = highlightMaterial(HOVER_MIX);
  /** The selected building's highlight overlay and the hovered one's. */
  private readonly lit = { selected: { id: null as number | null, overlay: null as THREE.Object3D | null }, hovered: { id: null as number | null, overlay: null as THREE.Object3D | null } };
  private readonly groundAt: (x: number, z: number) => number;
  /** The distance from the camera to the first surface (a building, the ground) under page point (x, y); null: the sky. */
  readonly distanceAt: (x: number, y: number) => number | null;

  constructor(private readonly el: HTMLElement, private readonly model: CityModel, options: ViewOptions = {}) {
    const box = new THREE.Box3().setFromObject(model.scene);
    const size = box.getSize(new THREE.Vector3());
    const centre = box.getCenter(new THREE.Vector3());
    this.stage = createStage(el, centre, Math.max(size.x, size.z, 50), box.min.y, box.max.y);
    ({ renderer: this.renderer, camera: this.camera, scene: this.scene } = this.stage);
    this.scene.add(model.scene);
    shadeContacts(model.buildingMeshes);
    this.triangles = new FeatureTriangles(model.buildingMeshes);
    this.raycaster.firstHitOnly = true;
    // the ground under a point: the model's terrain (its meshes without buildings), by a ray cast down
    const ground: THREE.Object3D[] = [];
    model.scene.traverse((o) => {
      const m = o as THREE.Mesh;
      if (m.isMesh && !m.geometry.attributes._feature_id_0) {
        ground.push(m);
        sharpenGround(this.stage, m);
      }
    });
    if (ground.length) terrainShown(this.stage);
    const down = new THREE.Raycaster();
    const groundAt = (x: number, z: number): number | null => {
      if (!ground.length) return null;
      down.set(new THREE.Vector3(x, box.max.y + 1e4, z), new THREE.Vector3(0, -1, 0));
      const hit = down.intersectObjects(ground, false)[0];
      return hit ? hit.point.y : null;
    };
    const clearance = Math.max(1.5, Math.max(size.x, size.z) / 2000);
    this.groundAt = (x, z) => groundAt(x, z) ?? box.min.y;
    this.stage.controls.addEventListener('change', () => {
      clampAboveGround(this.stage, groundAt, box.min.y, clearance);
      this.render();
    });
    // a wheel step never takes the camera into a building or under the terrain under the pointer
    const ray = new THREE.Raycaster();
    ray.firstHitOnly = true;
    const surfaces = [...model.buildingMeshes, ...ground];
    this.surfaces = surfaces;
    this.distanceAt = (x, y) => aimAt(ray, this.camera, this.renderer.domElement, x, y).intersectObjects(surfaces, false)[0]?.distance ?? null;
    guardZoom(this.stage, this.distanceAt, this.stage.controls.minDistance);
    this.resize();
    const c = this.stage.controls;
    // orbit-point-in-mid-air: the first view (and home) turns about the ground under the city's centre, not the
    // centre of its box (half the tallest building up): zooming in reaches the streets
    const onGround = (orElse: number) => {
      const dy = (groundAt(c.target.x, c.target.z) ?? orElse) - c.target.y;
      if (dy === 0) return;
      c.target.y += dy;
      this.camera.position.y += dy;
      c.update();
      c.saveState();
    };
    onGround(box.min.y);
    // the first view (and home) shows every building (not the terrain's margin around them): a portrait
    // screen, or a landscape one seeing the city's corners obliquely, steps back
    const buildings = new THREE.Box3();
    for (const m of model.buildingMeshes) buildings.expandByObject(m);
    fitContent(this.stage, buildings.isEmpty() ? box : buildings, { coveredRight: options.coveredRight ?? 0 });
    // (slid sideways beside the panel, the orbit point goes back down to the ground there)
    onGround(c.target.y);
  }

  /** The orbit controls (tests and scripts read the camera's state). */
  get controls(): Stage['controls'] {
    return this.stage.controls;
  }

  resize(): void {
    fitStage(this.el, this.stage);
    this.render();
  }

  /** Called after every frame drawn (the navigation overlay follows the camera). */
  onView: (() => void) | null = null;

  render(): void {
    this.stage.updateShadows();
    this.renderer.render(this.scene, this.camera);
    drew('model');
    this.onView?.();
  }

  /** The compass bearing the camera looks towards, and the ground metres per CSS pixel at its target. */
  navState(): { bearing: number; metresPerPixel: number } {
    return stageNav(this.stage);
  }

  /** Turn the view north up: the same target, tilt and distance, looking north. */
  northUp(): void {
    stageNorthUp(this.stage);
  }

  /** The camera: position, tilt from the vertical (degrees), height above the ground under it. */
  cameraState(): CameraState {
    return stageCameraState(this.stage, this.groundAt);
  }

  /** Original materials of the building meshes, while they are coloured by an attribute. */
  private plain: Map<THREE.Mesh, THREE.Material | THREE.Material[]> | null = null;

  /**
   * Colour every building by `colourOf(row)` (sRGB; vertex colours over white), or back to its
   * materials with null.
   */
  setColours(colourOf: ((id: number) => Rgb) | null): void {
    for (const m of this.model.buildingMeshes) {
      const g = m.geometry;
      if (!colourOf) {
        if (this.plain?.has(m)) m.material = this.plain.get(m)!;
        continue;
      }
      this.plain ??= new Map();
      if (!this.plain.has(m)) this.plain.set(m, m.material);
      const base = this.plain.get(m)! as THREE.MeshStandardMaterial;
      const mat = (Array.isArray(base) ? base[0] : base).clone() as THREE.MeshStandardMaterial;
      mat.color.set(1, 1, 1);
      mat.vertexColors = true;
      m.material = g.attributes.contact ? contactMaterial(mat) : mat;
      g.setAttribute('color', new THREE.BufferAttribute(featureColours(g.attributes._feature_id_0, colourOf), 3));
    }
    if (!colourOf) this.plain = null;
    this.render();
  }


  /**
   * Draw (and pick) only the buildings `visible` keeps — every one with null: each mesh's index buffer
   * is rebuilt from the buildings' triangle runs, and re-indexed for picking.
   */
  setVisible(visible: ((id: number) => boolean) | null): void {
    filterMeshes(this.model.buildingMeshes, visible);
    for (const m of this.model.buildingMeshes) if (m.geometry.index && m.geometry.attributes._feature_id_0) indexForPicking(m);
    this.render();
  }

  /** Orbit around what is under page pixel (x, y) — a roof, the ground — from closer by (double-click). */
  focusAt(x: number, y: number): boolean {
    // double-click-on-the-plain-did-nothing: the plain around the city is somewhere to go too
    const ray = aimAt(new THREE.Raycaster(), this.camera, this.renderer.domElement, x, y);
    const hit = ray.intersectObject(this.model.scene, true)[0] ?? ray.intersectObject(this.stage.plain, false)[0];
    if (!hit) return false;
    orbitCloserAbout(this.stage, hit.point);
    return true;
  }

  /** Orbit around building `id`'s top from closer by (the same direction of view). */
  flyTo(id: number): void {
    const spot = buildingSpot(this.model.buildingMeshes, id);
    if (!spot) return;
    const { centre } = spot;
    const c = this.stage.controls;
    // search-flew-too-close: far enough to see all of it (a 45 m hospital filled the screen from 60 m)
    const dir = flyToDirection(this.camera.position.clone().sub(c.target)).setLength(Math.max(spot.distance, c.minDistance * 4));
    c.target.copy(centre);
    this.camera.position.copy(centre).add(dir);
    c.update();
    centreInFreePart(this.stage);
  }

  /** The camera as numbers (position, target), for links. */
  get cameraVector(): number[] {
    return stageCameraVector(this.stage);
  }

  /** Put the camera where {@link cameraVector} was. */
  set cameraVector(v: number[]) {
    setStageCameraVector(this.stage, v);
  }

  /** The camera as both views understand it. */
  viewCamera(): ViewCamera {
    return stageViewCamera(this.stage);
  }

  /** Look as `c` says (another view's camera), within the orbit's limits. */
  setViewCamera(c: ViewCamera): void {
    setStageViewCamera(this.stage, c);
    this.render();
  }

  /** Back to the first view of the city. */
  resetCamera(): void {
    this.stage.controls.reset();
  }

  /**
   * Highlight the `selected` building and, blended over its own colours, the `hovered` one (or none) with
   * overlays of their own triangles, and draw: the selection stays lit while the pointer lights others.
   */
  setHighlight(selected: number | null, hovered: number | null = null): void {
    const hover = hovered === selected ? null : hovered;
    if (this.lit.selected.id === selected && this.lit.hovered.id === hover) return;
    this.relight(this.lit.selected, selected, this.litMaterial);
    this.relight(this.lit.hovered, hover, this.hoverMaterial);
    this.render();
  }

  /** Move one highlight overlay to building `id` (or remove it). */
  private relight(slot: { id: number | null; overlay: THREE.Object3D | null }, id: number | null, material: THREE.Material): void {
    if (slot.id === id) return;
    if (slot.overlay) {
      this.scene.remove(slot.overlay);
      // the overlay shares the building meshes' position and normal buffers: only its own index buffer goes
      // (disposing the shared attributes deleted the city's GPU buffers under its vertex arrays: after some
      // hovers a whole primitive — every roof, or every wall — stopped drawing)
      slot.overlay.traverse((o) => {
        const g = (o as THREE.Mesh).geometry;
        if (!g) return;
        for (const name of Object.keys(g.attributes)) g.deleteAttribute(name);
        g.dispose();
      });
    }
    slot.overlay = id === null ? null : this.triangles.overlay(id, material);
    if (slot.overlay) this.scene.add(slot.overlay);
    slot.id = id;
  }

  /** The building under canvas pixel (x, y), or null. */
  pick(x: number, y: number): number | null {
    // (picked-through-the-terrain: a pointer on the terrain's side named the building hidden behind it)
    const hit = aimAt(this.raycaster, this.camera, this.renderer.domElement, x, y).intersectObjects(this.surfaces, false)[0];
    return hit && (hit.object as THREE.Mesh).geometry.attributes._feature_id_0 ? featureIdOfHit(hit) : null;
  }

  /** Screen position of the centre of building `id`'s top, or null if it is not drawn. */
  screenPositionOf(id: number): { x: number; y: number } | null {
    const top = topCentre(this.model.buildingMeshes, id);
    return top && pageOfWorld(this.camera, this.renderer.domElement, top);
  }
}
