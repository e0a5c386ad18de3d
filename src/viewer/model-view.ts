import * as THREE from 'three';
import { createStage, fitStage, pageOfWorld, topCentre, type Stage } from './stage.js';
import { featureIdOfHit, type CityModel } from './model.js';

/** The three.js model view: orbit/pan/zoom, a sun with shadows, ground, picking by ray cast. */
export class ModelView {
  readonly renderer: THREE.WebGLRenderer;
  readonly camera: THREE.PerspectiveCamera;
  readonly scene: THREE.Scene;
  private readonly stage: Stage;
  private readonly raycaster = new THREE.Raycaster();

  constructor(private readonly el: HTMLElement, private readonly model: CityModel) {
    const box = new THREE.Box3().setFromObject(model.scene);
    const size = box.getSize(new THREE.Vector3());
    const centre = box.getCenter(new THREE.Vector3());
    this.stage = createStage(el, centre, Math.max(size.x, size.z, 50), box.min.y, box.max.y);
    ({ renderer: this.renderer, camera: this.camera, scene: this.scene } = this.stage);
    this.scene.add(model.scene);
    this.stage.controls.addEventListener('change', () => this.render());
    this.resize();
  }

  resize(): void {
    fitStage(this.el, this.stage);
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
    const top = topCentre(this.model.buildingMeshes, id);
    return top && pageOfWorld(this.camera, this.renderer.domElement, top);
  }
}
