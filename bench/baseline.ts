/**
 * The baseline a TypeScript developer would write without cityforge, on the same footprints:
 * three.js ExtrudeGeometry per footprint, mergeGeometries, GLTFExporter to GLB.
 */
import * as THREE from 'three';
import { mergeGeometries } from 'three/examples/jsm/utils/BufferGeometryUtils.js';
import { GLTFExporter } from 'three/examples/jsm/exporters/GLTFExporter.js';
import type { FeatureBatch } from '../src/core/types.js';

// GLTFExporter's binary path uses the browser FileReader; Node has Blob but no FileReader.
class NodeFileReader {
  result: ArrayBuffer | null = null;
  onloadend: (() => void) | null = null;
  readAsArrayBuffer(blob: Blob): void {
    blob.arrayBuffer().then((b) => {
      this.result = b;
      this.onloadend?.();
    });
  }
}
(globalThis as unknown as { FileReader: unknown }).FileReader ??= NodeFileReader;

/** Run the baseline; returns GLB bytes and triangles. */
export async function baseline(batch: FeatureBatch): Promise<{ bytes: Uint8Array; triangles: number }> {
  const geoms: THREE.BufferGeometry[] = [];
  for (let f = 0; f < batch.params.length; f++) {
    const p = batch.params[f];
    for (let poly = batch.featureOffsets[f]; poly < batch.featureOffsets[f + 1]; poly++) {
      const rings: THREE.Vector2[][] = [];
      for (let r = batch.polygonOffsets[poly]; r < batch.polygonOffsets[poly + 1]; r++) {
        const pts: THREE.Vector2[] = [];
        for (let v = batch.ringOffsets[r]; v < batch.ringOffsets[r + 1]; v++) pts.push(new THREE.Vector2(batch.positions[2 * v], batch.positions[2 * v + 1]));
        rings.push(pts);
      }
      const shape = new THREE.Shape(rings[0]);
      for (const h of rings.slice(1)) shape.holes.push(new THREE.Path(h));
      const g = new THREE.ExtrudeGeometry(shape, { depth: p.height - p.minHeight, bevelEnabled: false });
      g.translate(0, 0, p.minHeight);
      g.rotateX(-Math.PI / 2);
      geoms.push(g);
    }
  }
  const merged = mergeGeometries(geoms, false);
  const triangles = merged.index ? merged.index.count / 3 : merged.attributes.position.count / 3;
  const scene = new THREE.Scene();
  scene.add(new THREE.Mesh(merged, new THREE.MeshStandardMaterial({ color: 0xdddddd })));
  const glb = (await new GLTFExporter().parseAsync(scene, { binary: true })) as ArrayBuffer;
  return { bytes: new Uint8Array(glb), triangles };
}
