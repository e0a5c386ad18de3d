import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { featureIdOfHit, type CityModel } from './model.js';

/** The three.js model view: orbit/pan/zoom, a sun with shadows, ground, picking by ray cast. */
export class ModelView {
  readonly renderer: THREE.WebGLRenderer;
  readonly camera: THREE.PerspectiveCamera;
  readonly scene = new THREE.Scene();
  private readonly controls: OrbitControls;
  private readonly raycaster = new THREE.Raycaster();

  constructor(private readonly el: HTMLElement, private readonly model: CityModel) {
    this.renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(1);
    this.renderer.shadowMap.enabled = true;
    this.renderer.shadowMap.type = THREE.PCFSoftShadowMap;
    el.appendChild(this.renderer.domElement);
    this.scene.background = new THREE.Color(0xdfe6ee);
    this.scene.add(model.scene);
    const box = new THREE.Box3().setFromObject(model.scene);
    const size = box.getSize(new THREE.Vector3());
    const centre = box.getCenter(new THREE.Vector3());
    const span = Math.max(size.x, size.z, 50);
    // ground under the city (a terrain node, if any, covers it)
    const ground = new THREE.Mesh(new THREE.PlaneGeometry(span * 4, span * 4), new THREE.MeshStandardMaterial({ color: 0xc9cfc4, roughness: 1 }));
    ground.rotation.x = -Math.PI / 2;
    ground.position.set(centre.x, box.min.y - 0.05, centre.z);
    ground.receiveShadow = true;
    this.scene.add(ground);
    this.scene.add(new THREE.HemisphereLight(0xffffff, 0x8090a0, 1.1));
    const sun = new THREE.DirectionalLight(0xfff4e0, 2.4);
    sun.position.set(centre.x - span * 0.4, box.max.y + span * 0.8, centre.z + span * 0.5);
    sun.target.position.copy(centre);
    sun.castShadow = true;
    sun.shadow.mapSize.set(2048, 2048);
    const sc = sun.shadow.camera as THREE.OrthographicCamera;
    sc.left = sc.bottom = -span * 0.75;
    sc.right = sc.top = span * 0.75;
    sc.near = 1;
    sc.far = span * 4;
    this.scene.add(sun, sun.target);
    this.camera = new THREE.PerspectiveCamera(40, 1, Math.max(0.5, span / 5000), span * 20);
    this.camera.position.set(centre.x + span * 0.35, box.max.y + span * 0.55, centre.z + span * 0.75);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.target.copy(centre);
    this.controls.update();
    this.controls.addEventListener('change', () => this.render());
    this.resize();
  }

  resize(): void {
    const w = this.el.clientWidth || window.innerWidth;
    const h = this.el.clientHeight || window.innerHeight;
    this.renderer.setSize(w, h);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.render();
  }

  render(): void {
    this.renderer.render(this.scene, this.camera);
  }

  /** The building under canvas pixel (x, y), or null. */
  pick(x: number, y: number): number | null {
    const r = this.renderer.domElement.getBoundingClientRect();
    this.raycaster.setFromCamera(new THREE.Vector2(((x - r.left) / r.width) * 2 - 1, -((y - r.top) / r.height) * 2 + 1), this.camera);
    const hits = this.raycaster.intersectObjects(this.model.buildingMeshes, false);
    return hits.length ? featureIdOfHit(hits[0]) : null;
  }

  /** Screen position of the centre of building `id`'s top, or null if it is not drawn. */
  screenPositionOf(id: number): { x: number; y: number } | null {
    const top = topCentre(this.model, id);
    if (!top) return null;
    const p = top.project(this.camera);
    const r = this.renderer.domElement.getBoundingClientRect();
    return { x: r.left + ((p.x + 1) / 2) * r.width, y: r.top + ((1 - p.y) / 2) * r.height };
  }
}

/** World-space (glTF axes) centre of the top of building `id`. */
export function topCentre(model: CityModel, id: number): THREE.Vector3 | null {
  let maxY = -Infinity;
  const pts: THREE.Vector3[] = [];
  const v = new THREE.Vector3();
  for (const m of model.buildingMeshes) {
    const f = m.geometry.attributes._feature_id_0;
    const pos = m.geometry.attributes.position;
    m.updateWorldMatrix(true, false);
    for (let i = 0; i < f.count; i++) {
      if (Math.round(f.getX(i)) !== id) continue;
      v.fromBufferAttribute(pos, i).applyMatrix4(m.matrixWorld);
      pts.push(v.clone());
      maxY = Math.max(maxY, v.y);
    }
  }
  const top = pts.filter((p) => p.y >= maxY - 0.05);
  if (!top.length) return null;
  const c = new THREE.Vector3();
  for (const p of top) c.add(p);
  return c.divideScalar(top.length);
}
