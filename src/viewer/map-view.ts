import { Deck, MapView, COORDINATE_SYSTEM, LightingEffect, AmbientLight, DirectionalLight, type Viewport } from '@deck.gl/core';
import { SimpleMeshLayer } from '@deck.gl/mesh-layers';
import * as THREE from 'three';
import { type CityModel } from './model.js';

interface EnuMesh {
  positions: Float32Array;
  normals: Float32Array;
  colors: Float32Array;
  featureIds: Float32Array;
  indices: Uint32Array;
}

/** Every mesh of the model merged into one east-north-up mesh (metres from the frame origin). */
function toEnu(model: CityModel): EnuMesh {
  const parts: { m: THREE.Mesh; n: number; t: number }[] = [];
  let nv = 0, nt = 0;
  model.scene.updateMatrixWorld(true);
  model.scene.traverse((o) => {
    const m = o as THREE.Mesh;
    if (!m.isMesh) return;
    const n = m.geometry.attributes.position.count;
    const t = m.geometry.index ? m.geometry.index.count : n;
    parts.push({ m, n, t });
    nv += n;
    nt += t;
  });
  const out: EnuMesh = { positions: new Float32Array(3 * nv), normals: new Float32Array(3 * nv), colors: new Float32Array(3 * nv), featureIds: new Float32Array(nv).fill(-1), indices: new Uint32Array(nt) };
  let vo = 0, io = 0;
  const v = new THREE.Vector3();
  const nm = new THREE.Matrix3();
  for (const { m, n, t } of parts) {
    const g = m.geometry;
    nm.getNormalMatrix(m.matrixWorld);
    const col = new THREE.Color().copy((m.material as THREE.MeshStandardMaterial).color).convertLinearToSRGB();
    const fid = g.attributes._feature_id_0;
    for (let i = 0; i < n; i++) {
      v.fromBufferAttribute(g.attributes.position, i).applyMatrix4(m.matrixWorld);
      out.positions.set([v.x, -v.z, v.y], 3 * (vo + i));
      if (g.attributes.normal) {
        v.fromBufferAttribute(g.attributes.normal, i).applyMatrix3(nm).normalize();
        out.normals.set([v.x, -v.z, v.y], 3 * (vo + i));
      }
      out.colors.set([col.r, col.g, col.b], 3 * (vo + i));
      if (fid) out.featureIds[vo + i] = Math.round(fid.getX(i));
    }
    for (let k = 0; k < t; k++) out.indices[io + k] = vo + (g.index ? g.index.getX(k) : k);
    vo += n;
    io += t;
  }
  return out;
}

/** The deck.gl map view: the model on the globe at its frame's origin; picking by ray cast in the frame. */
export class MapViewer {
  readonly deck: Deck;
  private readonly enu: EnuMesh;
  private readonly pickMesh: THREE.Mesh;
  private readonly raycaster = new THREE.Raycaster();
  private readonly origin: [number, number];
  private highlighted: number | null = null;

  constructor(private readonly el: HTMLElement, private readonly model: CityModel, onClick: (id: number | null) => void, onHover: (id: number | null) => void) {
    const f = model.georef?.frame;
    this.origin = f ? [f.lon, f.lat] : [0, 0];
    this.enu = toEnu(model);
    const geom = new THREE.BufferGeometry();
    geom.setAttribute('position', new THREE.BufferAttribute(this.enu.positions, 3));
    geom.setIndex(new THREE.BufferAttribute(this.enu.indices, 1));
    this.pickMesh = new THREE.Mesh(geom);
    geom.computeBoundingSphere();
    const r = geom.boundingSphere!.radius;
    // fit the model's diameter (plus a margin) to the view's width
    const width = el.clientWidth || window.innerWidth;
    const zoom = Math.max(1, Math.min(20, Math.log2((40075016 * Math.cos((this.origin[1] * Math.PI) / 180) * width) / (512 * 2.2 * r))));
    const lighting = new LightingEffect({
      ambient: new AmbientLight({ color: [255, 255, 255], intensity: 0.9 }),
      sun: new DirectionalLight({ color: [255, 246, 230], intensity: 1.1, direction: [-1, -2, -3] }),
    });
    this.deck = new Deck({
      parent: el,
      views: new MapView({ repeat: false }),
      initialViewState: { longitude: this.origin[0], latitude: this.origin[1], zoom, pitch: 50, bearing: -20 },
      controller: true,
      effects: [lighting],
      parameters: { clearColor: [0.87, 0.9, 0.93, 1] } as never,
      layers: [this.layer()],
      glOptions: { preserveDrawingBuffer: true },
    } as never);
    // clicks and hovers from the DOM (deck.gl's own onClick misses the first click after the view appears);
    // a press that moved more than a few pixels was a drag of the map, not a click
    let down: [number, number] | null = null;
    el.addEventListener('pointerdown', (e) => (down = [e.clientX, e.clientY]));
    el.addEventListener('click', (e) => {
      if (down && Math.hypot(e.clientX - down[0], e.clientY - down[1]) > 4) return;
      const r = el.getBoundingClientRect();
      onClick(this.pick(e.clientX - r.left, e.clientY - r.top));
    });
    let pending = false;
    el.addEventListener('pointermove', (e) => {
      if (pending || e.buttons) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        const r = el.getBoundingClientRect();
        onHover(this.pick(e.clientX - r.left, e.clientY - r.top));
      });
    });
  }

  private layer(): SimpleMeshLayer {
    const colors = this.enu.colors.slice();
    if (this.highlighted !== null)
      for (let v = 0; v < this.enu.featureIds.length; v++) if (this.enu.featureIds[v] === this.highlighted) colors.set([1, 0.78, 0.2], 3 * v);
    return new SimpleMeshLayer({
      id: `city-${this.highlighted}`,
      data: [0],
      coordinateSystem: COORDINATE_SYSTEM.METER_OFFSETS,
      coordinateOrigin: [this.origin[0], this.origin[1], 0],
      getPosition: () => [0, 0, 0],
      getColor: [255, 255, 255],
      mesh: { attributes: { positions: { size: 3, value: this.enu.positions }, normals: { size: 3, value: this.enu.normals }, colors: { size: 3, value: colors } }, indices: { size: 1, value: this.enu.indices } } as never,
      material: { ambient: 0.5, diffuse: 0.6, shininess: 16, specularColor: [20, 20, 20] },
      pickable: false,
    });
  }

  /** Highlight a building (or none). */
  setHighlight(id: number | null): void {
    this.highlighted = id;
    this.deck.setProps({ layers: [this.layer()] });
  }

  private viewport(): Viewport {
    return this.deck.getViewports()[0];
  }

  /** Frame metres (east, north, up) of a lng/lat/z, with the viewport's own linearisation (as deck.gl draws METER_OFFSETS). */
  private toEnuPoint(vp: Viewport, lngLatZ: number[]): THREE.Vector3 {
    const o = vp.projectFlat(this.origin);
    const p = vp.projectFlat([lngLatZ[0], lngLatZ[1]]);
    const { unitsPerMeter } = vp.getDistanceScales(this.origin);
    return new THREE.Vector3((p[0] - o[0]) / unitsPerMeter[0], (p[1] - o[1]) / unitsPerMeter[1], lngLatZ[2] ?? 0);
  }

  /** The building under canvas pixel (x, y), or null. */
  pick(x: number, y: number): number | null {
    const vp = this.viewport();
    if (!vp || x < 0 || y < 0) return null;
    const near = this.toEnuPoint(vp, vp.unproject([x, y], { targetZ: 1000 }));
    const far = this.toEnuPoint(vp, vp.unproject([x, y], { targetZ: -100 }));
    this.raycaster.set(near, far.sub(near).normalize());
    const hit = this.raycaster.intersectObject(this.pickMesh, false)[0];
    if (!hit || !hit.face) return null;
    const id = this.enu.featureIds[hit.face.a];
    return id >= 0 ? id : null;
  }

  /** Screen position (page pixels) of a point in the frame (east, north, up). */
  project(e: THREE.Vector3): { x: number; y: number } {
    const vp = this.viewport();
    const o = vp.projectFlat(this.origin);
    const { unitsPerMeter } = vp.getDistanceScales(this.origin);
    const ll = vp.unprojectFlat([o[0] + e.x * unitsPerMeter[0], o[1] + e.y * unitsPerMeter[1]]);
    const p = vp.project([ll[0], ll[1], e.z]);
    const r = this.el.getBoundingClientRect();
    return { x: r.left + p[0], y: r.top + p[1] };
  }
}
