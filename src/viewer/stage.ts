import * as THREE from 'three';
import { drawn } from './frames.js';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';

/**
 * How much one wheel step (a mouse's notch: 100 px of `deltaY`) zooms, in every view: the distance to
 * what is looked at shrinks by this factor (wheel-speed-differed: the model view zoomed 5 % a step, the
 * map view 46 %).
 */
export const WHEEL_STEP = 1.2;

/** {@link WHEEL_STEP} as OrbitControls' zoomSpeed (a step scales the distance by 0.95^zoomSpeed). */
export const ORBIT_ZOOM_SPEED = Math.log(1 / WHEEL_STEP) / Math.log(0.95);

/** {@link WHEEL_STEP} as deck.gl's scroll-zoom speed (a step of 100 scales by 2 / (1 + e^(−100·speed))). */
export const DECK_SCROLL_SPEED = -Math.log(2 / WHEEL_STEP - 1) / 100;

/**
 * Steepest tilt (degrees from looking straight down) a fly-to (find, a link to a building) keeps:
 * from a view tilted towards the horizon it rises to this, so the building is seen from above
 * (find-flew-low: from a street-level view, Find flew in low and flat, the building behind its neighbours).
 */
export const FLY_TO_MAX_TILT = 55;

/** The direction (from target to camera) a fly-to looks along: `dir` itself, raised to {@link FLY_TO_MAX_TILT} where it is flatter; y is up. */
export function flyToDirection(dir: THREE.Vector3): THREE.Vector3 {
  const length = dir.length();
  const polar = Math.acos(THREE.MathUtils.clamp(dir.y / (length || 1), -1, 1));
  const max = THREE.MathUtils.degToRad(FLY_TO_MAX_TILT);
  if (polar <= max) return dir.clone();
  const azimuth = Math.atan2(dir.x, dir.z);
  return new THREE.Vector3(Math.sin(max) * Math.sin(azimuth), Math.cos(max), Math.sin(max) * Math.cos(azimuth)).multiplyScalar(length);
}

/** The camera's position and orbit target, to 0.1 m: a view's place in a link. */
export function stageCameraVector(s: Stage): number[] {
  return [...s.camera.position.toArray(), ...s.controls.target.toArray()].map((v) => Math.round(v * 10) / 10);
}

/** A stage's camera as both views understand it. */
export function stageViewCamera(s: Stage): ViewCamera {
  return viewCameraOf(s.camera.position, s.controls.target);
}

/** Look as `c` says (another view's camera), within the orbit's limits. */
export function setStageViewCamera(s: Stage, c: ViewCamera): void {
  const { position, target } = orbitOf(c);
  s.camera.position.copy(position);
  s.controls.target.copy(target);
  s.controls.update();
}

/** Put the camera where {@link stageCameraVector} was; false (nothing moved) for anything but six finite numbers. */
export function setStageCameraVector(s: Stage, v: number[]): boolean {
  if (v.length !== 6 || v.some((x) => !Number.isFinite(x))) return false;
  s.camera.position.fromArray(v, 0);
  s.controls.target.fromArray(v, 3);
  s.controls.update();
  return true;
}

/** What both three.js views share: renderer, scene with sky colour, sun and ground, camera and orbit controls. */
export interface Stage {
  renderer: THREE.WebGLRenderer;
  scene: THREE.Scene;
  camera: THREE.PerspectiveCamera;
  controls: OrbitControls;
  /** The plain under the content (out to twice its span each way). */
  plain: THREE.Mesh;
  /** Call before each frame: the shadow map is drawn again only when what casts shadows has changed. */
  updateShadows(): void;
}

/** The version of a geometry's positions (an interleaved attribute's is its buffer's). */
function positionVersion(g: THREE.BufferGeometry): number {
  const a = g.attributes['position'] as THREE.BufferAttribute | THREE.InterleavedBufferAttribute | undefined;
  if (!a) return 0;
  return 'isInterleavedBufferAttribute' in a ? a.data.version : a.version;
}

/**
 * A check, before each frame, that redraws the shadow map only when its casters or the sun changed:
 * the sun stands still over the scene while the camera orbits, so a frame with the same casters, in
 * the same places, with the same triangles, has the same shadows (shadows-redrawn-every-frame: the
 * shadow pass drew the whole city into a 2048² map for every frame of a drag).
 */
export function shadowUpdater(renderer: THREE.WebGLRenderer, scene: THREE.Scene): () => void {
  renderer.shadowMap.autoUpdate = false;
  renderer.shadowMap.needsUpdate = true;
  const serial = new WeakMap<object, number>();
  let next = 1;
  const idOf = (o: object | null | undefined) => {
    if (!o) return 0;
    let n = serial.get(o);
    if (n === undefined) serial.set(o, (n = next++));
    return n;
  };
  let last: number[] = [];
  return () => {
    scene.updateMatrixWorld();
    const now: number[] = [];
    scene.traverseVisible((o) => {
      const m = o as THREE.Mesh;
      const light = o as THREE.DirectionalLight;
      if (m.isMesh && m.castShadow) {
        const g = m.geometry;
        now.push(idOf(m), idOf(g), idOf(g.index), g.index?.version ?? 0, positionVersion(g), g.drawRange.start, g.drawRange.count, idOf(m.material), ...m.matrixWorld.elements);
      } else if (light.isDirectionalLight && light.castShadow) {
        const c = light.shadow.camera;
        now.push(-1, ...light.matrixWorld.elements, ...light.target.matrixWorld.elements, c.left, c.right, c.top, c.bottom, c.near, c.far, light.shadow.mapSize.x);
      }
    });
    if (now.length !== last.length || now.some((v, i) => v !== last[i])) renderer.shadowMap.needsUpdate = true;
    if (renderer.shadowMap.needsUpdate) drawn.shadows++;
    last = now;
  };
}

/**
 * A terrain of the content's own is drawn: the plain under it no longer takes shadows
 * (shadows-on-the-plain: the terrain's edges and the buildings near them cast wedges onto the plain
 * below the terrain, outside the city), and it gives way in the depth test to a ground lying on it
 * (imagery-ground-fought-the-plain: imagery without terrain is a flat textured ground at the
 * buildings' base, 5 cm over the plain, far finer than the depth buffer resolves across a city: the
 * plain showed through most of it).
 */
export function terrainShown(s: Stage): void {
  if (!s.plain.receiveShadow) return;
  s.plain.receiveShadow = false;
  const m = s.plain.material as THREE.Material;
  m.polygonOffset = true;
  m.polygonOffsetFactor = 4;
  m.polygonOffsetUnits = 16;
  m.needsUpdate = true;
}

/** Whether the machine draws WebGL in software (no GPU: SwiftShader, llvmpipe), asked of a throwaway context once. */
let software: boolean | null = null;

/**
 * Whether the three.js views smooth their edges (4× MSAA): yes on a GPU; not where WebGL is drawn in
 * software, where it made every frame about 1.7 × as slow (software-rendering-was-sluggish: an SF drag step took 0.8 s
 * in SwiftShader, 0.45 s without). `?antialias=1` or `?antialias=0` in the page's address decides instead
 * (the README's screenshots are taken in SwiftShader with it on).
 */
export function antialiasing(): boolean {
  const asked = new URLSearchParams(location.search).get('antialias');
  if (asked === '1' || asked === '0') return asked === '1';
  if (software === null) {
    const gl = document.createElement('canvas').getContext('webgl2');
    const info = gl?.getExtension('WEBGL_debug_renderer_info');
    const name = gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
    software = /swiftshader|llvmpipe|softpipe|software/i.test(name);
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
  }
  return !software;
}

/**
 * Device pixels drawn per CSS pixel in every view: the screen's own (at most 2, sharp on HiDPI screens), or
 * `?scale=` in the page's address (0.25–2). Below 1 a view draws fewer pixels and the browser enlarges them:
 * softer, and much faster where WebGL is drawn in software (an SF drag of ten steps at 1280 × 800 took 2.8 s in
 * SwiftShader at 1, 1.3–1.5 s at 0.5).
 */
export function renderScale(): number {
  const asked = Number(new URLSearchParams(location.search).get('scale'));
  return asked >= 0.25 && asked <= 2 ? asked : screenScale();
}

/** The screen's device pixels per CSS pixel, at most 2 (sharp on HiDPI screens). */
const screenScale = (): number => Math.min(window.devicePixelRatio || 1, 2);

/**
 * A view's canvas drawn at fewer device pixels than the screen's ({@link renderScale}) is enlarged
 * pixel by pixel, not smoothed: the colours stay the legend's own at every edge (smoothed, a colour-by
 * view was a fifth blends of neighbouring colours).
 */
export function enlargeSharply(canvas: HTMLCanvasElement | null | undefined): void {
  if (canvas && renderScale() < screenScale()) canvas.style.imageRendering = 'pixelated';
}

/**
 * Set up a stage in `el` around `centre` (glTF axes, y up) for content `span` metres across whose
 * lowest point is at `groundY`: hemisphere light, a sun with shadows, a ground plane, an oblique camera.
 */
export function createStage(el: HTMLElement, centre: THREE.Vector3, span: number, groundY: number, topY: number): Stage {
  const renderer = new THREE.WebGLRenderer({ antialias: antialiasing(), preserveDrawingBuffer: true });
  renderer.setPixelRatio(renderScale());
  enlargeSharply(renderer.domElement);
  renderer.shadowMap.enabled = true;
  el.appendChild(renderer.domElement);
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0xdfe6ee);
  // haze towards the horizon: the ground's far edge fades into the sky, the city itself stays clear
  scene.fog = new THREE.Fog(0xdfe6ee, span * 2.5, span * 7);
  // the plain reaches past where the haze is whole from any distance the camera may take (zoomed out, its
  // edge showed as a square: plain-edge-in-view)
  const ground = new THREE.Mesh(new THREE.PlaneGeometry(span * 50, span * 50), new THREE.MeshStandardMaterial({ color: 0xc9cfc4, roughness: 1 }));
  ground.rotation.x = -Math.PI / 2;
  ground.position.set(centre.x, groundY - 0.05, centre.z);
  ground.receiveShadow = true;
  scene.add(ground);
  scene.add(new THREE.HemisphereLight(0xffffff, 0x8090a0, 1.1));
  const sun = new THREE.DirectionalLight(0xfff4e0, 2.4);
  sun.position.set(centre.x - span * 0.4, topY + span * 0.8, centre.z + span * 0.5);
  sun.target.position.copy(centre);
  sun.castShadow = true;
  sun.shadow.mapSize.set(2048, 2048);
  // no shadow acne: a depth bias, and a normal offset of about a shadow-map texel
  sun.shadow.bias = -0.0005;
  sun.shadow.normalBias = (span * 1.5) / 2048;
  const sc = sun.shadow.camera as THREE.OrthographicCamera;
  sc.left = sc.bottom = -span * 0.75;
  sc.right = sc.top = span * 0.75;
  sc.near = 1;
  sc.far = span * 4;
  scene.add(sun, sun.target);
  const camera = new THREE.PerspectiveCamera(40, 1, Math.max(0.5, span / 5000), span * 20);
  camera.position.set(centre.x + span * 0.35, topY + span * 0.55, centre.z + span * 0.75);
  const controls = new OrbitControls(camera, renderer.domElement);
  controls.target.copy(centre);
  // never under the ground: the tilt stops at the horizon (eye-level-was-impossible: it stopped 5° short,
  // and a street-level view was two thirds pavement), the camera kept above the ground by the views
  // (clampAboveGround), the distance within reason
  controls.maxPolarAngle = THREE.MathUtils.degToRad(90);
  controls.minDistance = Math.max(2, span / 500);
  controls.maxDistance = span * 6;
  // the haze begins past the content's far side as seen from the orbit distance (zoomed out, the city itself
  // faded: city-fogged-when-zoomed-out), and is whole well inside the camera's far plane
  const fog = scene.fog;
  const haze = () => {
    const d = camera.position.distanceTo(controls.target) + span * 0.75;
    fog.near = Math.max(span * 2.5, d);
    fog.far = Math.min(camera.far * 0.9, Math.max(span * 7, 2.5 * d));
  };
  controls.addEventListener('change', haze);
  controls.update();
  haze();
  controls.saveState();
  // the keyboard: arrow keys pan (when the page has the focus)
  controls.listenToKeyEvents(window);
  controls.keyPanSpeed = 20;
  controls.zoomSpeed = ORBIT_ZOOM_SPEED;
  // pinch-zoomed-300-times: OrbitControls raises a pinch's spread ratio to the power zoomSpeed, which is the
  // wheel's 3.55 (a spread of two fingers from 50 to 250 px took the camera from 12.7 km to 35 m); a pinch
  // scales the view by its spread (zoomSpeed 1), a wheel step by WHEEL_STEP (capture: before OrbitControls reads it)
  renderer.domElement.addEventListener('pointerdown', (e) => (controls.zoomSpeed = e.pointerType === 'touch' ? 1 : ORBIT_ZOOM_SPEED), { capture: true });
  renderer.domElement.addEventListener('wheel', () => (controls.zoomSpeed = ORBIT_ZOOM_SPEED), { capture: true, passive: true });
  // zoom-ignored-the-pointer: a wheel step moves towards what is under the pointer (as the map view does),
  // the orbit point staying on the ground plane under the view's centre
  controls.zoomToCursor = true;
  // panning (drag or arrow keys) slides over the ground, as on a map: it does not lift the orbit point
  controls.screenSpacePanning = false;
  return { renderer, scene, camera, controls, plain: ground, updateShadows: shadowUpdater(renderer, scene) };
}

/** What a view (model or tileset) is told of the page around it. */
export interface ViewOptions {
  /** Pixels the panel covers at the right edge when the view opens (0: folded); see {@link FitOptions}. */
  coveredRight?: number;
}

/** Options of {@link fitContent}. */
export interface FitOptions {
  /** The share of the screen's half-width and half-height the content may reach from its middle. */
  margin?: number;
  /**
   * Pixels covered at the screen's right edge by something over the view (the open panel): the content is
   * framed in the width left of it, where it is less than 45 % of the width (first-view-behind-the-panel).
   */
  coveredRight?: number;
}

export const FIT_DEFAULTS: Required<FitOptions> = { margin: 0.92, coveredRight: 0 };

/**
 * The pixels at a view's right side (`width` wide) to keep clear of a panel covering `coveredRight` of
 * them, with a margin: none when the panel covers most of a narrow screen (a phone's: folded when needed).
 */
export function clearOfPanel(coveredRight: number, width: number): number {
  return coveredRight > 0 && coveredRight < 0.45 * width ? coveredRight + 8 : 0;
}

/** How many CSS pixels of the view's right side the open panel covers (0 when folded). */
export function panelCover(): number {
  const panel = document.getElementById('panel');
  if (!panel || panel.classList.contains('collapsed')) return 0;
  return Math.max(0, window.innerWidth - panel.getBoundingClientRect().left);
}

/**
 * Slide the camera and its orbit point along the camera's level right by half of what the panel covers
 * (as {@link fitContent} counts it: under 45 % of the width), so that the orbit point stands in the middle
 * of the free part of the view (found-building-behind-the-panel: a building flown to was centred on the
 * whole screen, its right end under the panel).
 */
export function centreInFreePart(s: Stage, coveredRight = panelCover()): void {
  const width = s.renderer.domElement.clientWidth || window.innerWidth;
  const height = s.renderer.domElement.clientHeight || window.innerHeight;
  const covered = clearOfPanel(coveredRight, width);
  if (!covered) return;
  const c = s.controls, cam = s.camera;
  const distance = cam.position.distanceTo(c.target);
  // metres per CSS pixel at the orbit point's distance
  const perPixel = (2 * distance * Math.tan(((cam.fov / 2) * Math.PI) / 180)) / height;
  cam.updateMatrixWorld();
  const side = new THREE.Vector3().setFromMatrixColumn(cam.matrixWorld, 0).setY(0).normalize().multiplyScalar((covered / 2) * perPixel);
  c.target.add(side);
  cam.position.add(side);
  c.update();
}

/**
 * The first view (and home) shows all of `box` (glTF axes): while a corner of it projects outside the
 * middle `margin` of the screen (or behind the camera), the camera steps back along its view direction.
 * A portrait screen steps back further (its narrow width), and a landscape one no longer crops the
 * corners of a city seen obliquely (first-view-cropped). Where the panel covers the right of the screen,
 * the camera and its orbit point slide sideways so the content sits in the width left of it. The haze then
 * starts beyond the content. Call after the camera's aspect is set; saves the controls' state (home).
 * Never moves the camera closer.
 *
 * @example
 * fitContent(stage, buildingsBox, { coveredRight: 330 });
 */
export function fitContent(s: Stage, box: THREE.Box3, options: FitOptions = {}): void {
  const { margin, coveredRight } = { ...FIT_DEFAULTS, ...options };
  const c = s.controls;
  const cam = s.camera;
  cam.updateProjectionMatrix();
  const corners: THREE.Vector3[] = [];
  for (const x of [box.min.x, box.max.x]) for (const y of [box.min.y, box.max.y]) for (const z of [box.min.z, box.max.z]) corners.push(new THREE.Vector3(x, y, z));
  // the free width in normalised device coordinates: [lo, hi]
  const width = s.renderer.domElement.clientWidth || window.innerWidth;
  const covered = clearOfPanel(coveredRight, width);
  const lo = -margin;
  const hi = 1 - (2 * covered) / width - (1 - margin);
  const dir = cam.position.clone().sub(c.target);
  const start = dir.length();
  const target = c.target.clone();
  // (the camera's right, level: its matrix is not updated before the first frame)
  cam.updateMatrixWorld();
  const side = new THREE.Vector3().setFromMatrixColumn(cam.matrixWorld, 0).setY(0).normalize();
  const shift = new THREE.Vector3();
  const q = new THREE.Vector3();
  let d = start;
  for (let k = 0; k < 80; k++) {
    cam.position.copy(target).add(shift).addScaledVector(dir, d / start);
    cam.updateMatrixWorld();
    let minX = Infinity, maxX = -Infinity, maxY = 0, behind = false;
    for (const p of corners) {
      q.copy(p).project(cam);
      behind ||= q.z >= 1;
      minX = Math.min(minX, q.x);
      maxX = Math.max(maxX, q.x);
      maxY = Math.max(maxY, Math.abs(q.y));
    }
    if (!behind && maxY <= margin && minX >= lo - 1e-6 && maxX <= hi + 1e-6) break;
    if (!behind && maxY <= margin && maxX - minX <= hi - lo && side.lengthSq() > 0) {
      // it fits in the free width: slide sideways (one NDC unit is the half-width at the orbit point's distance)
      const halfWidth = d * Math.tan(THREE.MathUtils.degToRad(cam.fov / 2)) * cam.aspect;
      shift.addScaledVector(side, ((minX + maxX) / 2 - (lo + hi) / 2) * halfWidth);
    } else d *= 1.08;
  }
  cam.position.copy(target).add(shift).addScaledVector(dir, d / start);
  if (d === start && shift.lengthSq() === 0) return;
  c.target.copy(target).add(shift);
  c.update();
  c.saveState();
}

/** Fit the renderer and camera to the element's size. */
export function fitStage(el: HTMLElement, s: Stage): void {
  const w = el.clientWidth || window.innerWidth;
  const h = el.clientHeight || window.innerHeight;
  s.renderer.setSize(w, h);
  s.camera.aspect = w / h;
  s.camera.updateProjectionMatrix();
}

/** Page position of a world point (glTF axes) seen by `camera` on `canvas`. */
export function pageOfWorld(camera: THREE.Camera, canvas: HTMLCanvasElement, p: THREE.Vector3): { x: number; y: number } {
  const c = p.clone().project(camera);
  const r = canvas.getBoundingClientRect();
  return { x: r.left + ((c.x + 1) / 2) * r.width, y: r.top + ((1 - c.y) / 2) * r.height };
}

/** World-space (glTF axes) centre of the top of feature `id` in `meshes` (their `_feature_id_0`), or null. */
export function topCentre(meshes: readonly THREE.Mesh[], id: number): THREE.Vector3 | null {
  return buildingSpot(meshes, id)?.top ?? null;
}

/**
 * Where building `id` stands: the centre of its top, the point under it halfway up (glTF axes), and the distance from which a 40° view
 * shows all of it with room around (2.2 × its bounding box's diagonal: the view spans 0.73 × the distance; at
 * least 60 m), or null if it is not drawn.
 */
export function buildingSpot(meshes: readonly THREE.Mesh[], id: number): { top: THREE.Vector3; centre: THREE.Vector3; distance: number } | null {
  let maxY = -Infinity;
  const box = new THREE.Box3();
  const pts: THREE.Vector3[] = [];
  const v = new THREE.Vector3();
  for (const m of meshes) {
    const f = m.geometry.attributes._feature_id_0;
    const pos = m.geometry.attributes.position;
    if (!f) continue;
    m.updateWorldMatrix(true, false);
    for (let i = 0; i < f.count; i++) {
      if (Math.round(f.getX(i)) !== id) continue;
      v.fromBufferAttribute(pos, i).applyMatrix4(m.matrixWorld);
      pts.push(v.clone());
      box.expandByPoint(v);
      maxY = Math.max(maxY, v.y);
    }
  }
  const top = pts.filter((p) => p.y >= maxY - 0.05);
  if (!top.length) return null;
  const c = new THREE.Vector3();
  for (const p of top) c.add(p);
  c.divideScalar(top.length);
  // search-cut-off-a-tall-building: the camera turns about the middle of its height, under the top's centre (about
  // the top, a 27 m Vienna block ran off the bottom of the screen)
  return { top: c, centre: new THREE.Vector3(c.x, (box.min.y + box.max.y) / 2, c.z), distance: spotDistance(box.getSize(new THREE.Vector3()).length()) };
}

/** How far from a building of box diagonal `size` (metres) a search looks at it: all of it in view. */
export function spotDistance(size: number): number {
  return Math.max(60, 2.2 * size);
}

/** Pointer moves over `el` without a button pressed, at most once per frame: `handler(clientX, clientY)`. */
export function onPointerHover(el: HTMLElement, handler: (x: number, y: number) => void): void {
  let pending = false;
  el.addEventListener('pointermove', (e) => {
    if (pending || e.buttons) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      handler(e.clientX, e.clientY);
    });
  });
}

/**
 * What a click picks: what lies under its pixel, or else the first building found on a ring of 2 px around
 * it, then of 4 px (click-missed-small-buildings: in a city's first view a house is 2–3 px across, and most
 * clicks landed on the street beside it).
 *
 * @example
 * ```ts
 * onCanvasClick(canvas, (x, y) => select(pickNear((px, py) => view.pick(px, py), x, y)));
 * ```
 */
export function pickNear<T>(pick: (x: number, y: number) => T | null, x: number, y: number): T | null {
  const hit = pick(x, y);
  if (hit != null) return hit; // (building 0 is a hit)
  for (const r of [2, 4])
    for (let k = 0; k < 8; k++) {
      const a = (k * Math.PI) / 4;
      const near = pick(x + Math.round(r * Math.cos(a)), y + Math.round(r * Math.sin(a)));
      if (near != null) return near;
    }
  return null;
}

/**
 * Clicks on `el` that are clicks: a press and release within 4 px of each other. The end of a drag
 * (orbiting, panning) is not a click. `handler(clientX, clientY)`.
 */
export function onCanvasClick(el: HTMLElement, handler: (x: number, y: number) => void): void {
  let down: [number, number] | null = null;
  el.addEventListener('pointerdown', (e) => (down = [e.clientX, e.clientY]));
  el.addEventListener('click', (e) => {
    if (down && Math.hypot(e.clientX - down[0], e.clientY - down[1]) > 4) return;
    handler(e.clientX, e.clientY);
  });
}

/**
 * Keep a stage's camera above the ground: the orbit target no lower than the ground under it, the
 * camera at least `clearance` metres above the surface below it (`groundAt(x, z)` in glTF axes, or
 * `groundY` where it has none). Call on every camera change.
 */
export function clampAboveGround(s: Stage, groundAt: (x: number, z: number) => number | null, groundY: number, clearance: number): void {
  const t = s.controls.target, c = s.camera.position;
  const gt = groundAt(t.x, t.z) ?? groundY;
  if (t.y < gt) {
    // back along the view's ray to the ground's height (raising it straight up turned the view: a zoom
    // towards the pointer drifted off what was under it)
    const k = c.y > gt && t.y < c.y ? (c.y - gt) / (c.y - t.y) : NaN;
    if (Number.isFinite(k)) t.set(c.x + (t.x - c.x) * k, gt, c.z + (t.z - c.z) * k);
    else t.y = gt;
  }
  const gc = groundAt(c.x, c.z) ?? groundY;
  if (c.y < gc + clearance) c.y = gc + clearance;
}

/** A three.js stage's view: the compass bearing the camera looks towards, and ground metres per CSS pixel at its target. */
export function stageNav(stage: Stage): { bearing: number; metresPerPixel: number } {
  const d = stage.controls.target.clone().sub(stage.camera.position);
  // glTF axes: x east, z south
  const bearing = ((THREE.MathUtils.radToDeg(Math.atan2(d.x, -d.z)) % 360) + 360) % 360;
  const h = stage.renderer.domElement.clientHeight || 1;
  return { bearing, metresPerPixel: (2 * d.length() * Math.tan(THREE.MathUtils.degToRad(stage.camera.fov) / 2)) / h };
}

/** Turn a three.js stage's view north up: the same target, tilt and distance, looking north. */
export function stageNorthUp(stage: Stage): void {
  const c = stage.controls;
  const d = stage.camera.position.clone().sub(c.target);
  stage.camera.position.set(c.target.x, c.target.y + d.y, c.target.z + Math.hypot(d.x, d.z));
  c.update();
}

/**
 * A camera both views understand, so a switch between them keeps the view and a link can hold either:
 * the point looked at (frame metres east, north, up), the distance to it (m), the compass bearing the
 * view faces (degrees from north, clockwise) and the tilt from looking straight down (degrees).
 */
export interface ViewCamera {
  target: [number, number, number];
  distance: number;
  bearing: number;
  pitch: number;
}

/** The {@link ViewCamera} of a three.js camera orbiting `target` (glTF axes: x east, y up, z south). */
export function viewCameraOf(position: THREE.Vector3, target: THREE.Vector3): ViewCamera {
  const d = position.clone().sub(target);
  const D = d.length() || 1;
  return {
    target: [target.x, -target.z, target.y],
    distance: D,
    bearing: (THREE.MathUtils.radToDeg(Math.atan2(-d.x, d.z)) + 360) % 360,
    pitch: THREE.MathUtils.radToDeg(Math.acos(Math.max(-1, Math.min(1, d.y / D)))),
  };
}

/** The three.js camera position and target (glTF axes) of a {@link ViewCamera}. */
export function orbitOf(c: ViewCamera): { position: THREE.Vector3; target: THREE.Vector3 } {
  const target = new THREE.Vector3(c.target[0], c.target[2], -c.target[1]);
  const b = THREE.MathUtils.degToRad(c.bearing), p = THREE.MathUtils.degToRad(c.pitch);
  const h = c.distance * Math.sin(p);
  return { position: target.clone().add(new THREE.Vector3(-Math.sin(b) * h, c.distance * Math.cos(p), Math.cos(b) * h)), target };
}

/** |y| of the view's direction below which it counts as near the horizon (within 20°: OrbitControls' own limit). */
const NEAR_HORIZON = Math.sin((20 * Math.PI) / 180);

/**
 * zoomed-into-a-building: wheel steps towards the pointer stop before the camera would come closer than
 * `stopAt` metres to the surface under it (`hitDistance(x, y)`: the distance from the camera to the first
 * surface under page point (x, y), or null for the sky). Zooming out is never stopped. Listens before
 * OrbitControls (capture: at the target, capturing listeners run first). Near the horizon, wheel steps in and out
 * move the camera along the pointer's ray and the orbit point with it (OrbitControls turns the view there).
 *
 * wheel-stopped-short-of-a-roof: OrbitControls' step is a share of the distance to the orbit point, which
 * may lie far beyond the roof under the pointer; a step that would overshoot is taken here instead: half the
 * way to `stopAt` from the surface along the pointer's ray (what is under the pointer stays there), the view's
 * direction kept and its orbit point brought to the depth of that surface.
 */
export function guardZoom(s: Stage, hitDistance: (x: number, y: number) => number | null, stopAt: number): void {
  const ray = new THREE.Raycaster();
  const forward = new THREE.Vector3();
  s.renderer.domElement.addEventListener(
    'wheel',
    (e) => {
      if (e.deltaY === 0 || !s.controls.enableZoom) return;
      s.camera.getWorldDirection(forward);
      // tilted-wheel-turned-the-view: within 20° of the horizon OrbitControls keeps its orbit point and turns
      // the camera to it after each step (the view tilted further, what was under the pointer slid away)
      const nearHorizon = Math.abs(forward.y) < NEAR_HORIZON;
      // OrbitControls' dolly: the distance to the orbit point scaled by 0.95^(zoomSpeed × |deltaY| / 100)
      const radius = s.camera.position.distanceTo(s.controls.target);
      const scale = Math.pow(0.95, (s.controls.zoomSpeed * Math.abs(e.deltaY)) / 100);
      // how far the camera goes along the pointer's ray (negative: back), and whether it would overshoot
      let step: number, d = 0, overshoots = false;
      if (e.deltaY > 0) {
        if (!nearHorizon) return;
        step = radius * (1 - 1 / scale);
      } else {
        const hit = hitDistance(e.clientX, e.clientY);
        if (hit === null) return;
        d = hit;
        // OrbitControls' step, a share of the distance to the orbit point; near the horizon, where the step is
        // taken here, a share of the distance to what is under the pointer (horizon-wheel-jumped: the orbit
        // point lay far beyond it, and a step of the orbit's 1 km took the camera from 260 m to 63 m of a wall)
        step = (nearHorizon ? Math.min(radius, d) : radius) * (1 - scale);
        overshoots = d - step < stopAt;
        if (!overshoots && !nearHorizon) return;
        if (overshoots) step = 0.5 * (d - stopAt);
      }
      e.preventDefault();
      e.stopImmediatePropagation();
      if (e.deltaY < 0 && step < 0.05) return;
      if (e.deltaY > 0) {
        // zoom-out-stuck-near-the-horizon: back along the view's direction, the orbit point kept: the distance
        // grows step by step (moving both back along the pointer's ray kept it, a few metres from a wall, and
        // slid the view sideways)
        s.camera.position.addScaledVector(forward, step);
        s.controls.update();
        return;
      }
      const dir = aimAt(ray, s.camera, s.renderer.domElement, e.clientX, e.clientY).ray.direction;
      s.camera.position.addScaledVector(dir, step);
      // the view's direction kept: the orbit point moves with the camera, or comes to the surface's depth
      if (overshoots) s.controls.target.copy(s.camera.position).addScaledVector(forward, Math.max(stopAt, (d - step) * dir.dot(forward)));
      else s.controls.target.addScaledVector(dir, step);
      s.controls.update();
    },
    { capture: true, passive: false },
  );
}

/** Aim `ray` from `camera` through page point (x, y) of `canvas`. */
export function aimAt(ray: THREE.Raycaster, camera: THREE.Camera, canvas: HTMLCanvasElement, x: number, y: number): THREE.Raycaster {
  const r = canvas.getBoundingClientRect();
  ray.setFromCamera(new THREE.Vector2(((x - r.left) / r.width) * 2 - 1, -((y - r.top) / r.height) * 2 + 1), camera);
  return ray;
}

/** A stage's camera for tests: position, orbit point, tilt from the vertical, heights above the ground under each. */
export interface CameraState {
  position: number[];
  target: number[];
  polarDegrees: number;
  heightAboveGround: number;
  targetAboveGround: number;
}

/** {@link CameraState} of a stage, the ground (glTF y) under glTF (x, z) given by `groundAt`. */
export function stageCameraState(s: Stage, groundAt: (x: number, z: number) => number): CameraState {
  const c = s.camera.position, t = s.controls.target;
  const mm = (v: THREE.Vector3) => v.toArray().map((x) => Math.round(x * 1000) / 1000);
  return { position: mm(c), target: mm(t), polarDegrees: THREE.MathUtils.radToDeg(s.controls.getPolarAngle()), heightAboveGround: c.y - groundAt(c.x, c.z), targetAboveGround: t.y - groundAt(t.x, t.z) };
}

/**
 * ground-map-blurred-close-up: a ground texture (the imagery or ground map on the terrain) sampled with the
 * GPU's anisotropic filtering, up to 8×: seen at a slant, mipmapping alone blurred roads into the fields.
 */
export function sharpenGround(s: Stage, mesh: THREE.Mesh): void {
  const level = Math.min(8, s.renderer.capabilities.getMaxAnisotropy());
  for (const m of Array.isArray(mesh.material) ? mesh.material : [mesh.material]) {
    const map = (m as THREE.MeshStandardMaterial).map;
    if (map && map.anisotropy < level) {
      map.anisotropy = level;
      map.needsUpdate = true;
    }
  }
}

/** The closest double-clicks bring the camera to the point under the pointer (metres). */
export const CLOSEST_DOUBLE_CLICK = 25;

/**
 * Orbit about `point` from half as far, the direction of view kept (double-click): not closer than
 * {@link CLOSEST_DOUBLE_CLICK} (nor the controls' nearest distance), and never farther than now.
 */
export function orbitCloserAbout(s: Stage, point: THREE.Vector3): void {
  const c = s.controls;
  const dir = s.camera.position.clone().sub(c.target);
  // double-click-flew-into-the-ground: halving each time, a few double-clicks left a 2 m view of a wall; not
  // closer than a street's width by double-clicks (the wheel goes on), nor farther than the camera already is
  const now = dir.length();
  dir.setLength(Math.max(c.minDistance, Math.min(now, Math.max(now / 2, CLOSEST_DOUBLE_CLICK))));
  c.target.copy(point);
  s.camera.position.copy(point).add(dir);
  c.update();
}
