import * as THREE from 'three';
import { describe, expect, it } from 'vitest';
import { FeatureTriangles, filterMeshes } from '../../src/viewer/model.js';

describe('the highlight overlay', () => {
  it('highlight-on-the-wrong-building: with a legend entry hidden, a building is highlighted with its own triangles', () => {
    // three buildings (feature ids 0, 1, 2), two triangles each, over their own vertices
    const positions = new Float32Array(3 * 12);
    for (let i = 0; i < positions.length; i++) positions[i] = i;
    const g = new THREE.BufferGeometry();
    g.setAttribute('position', new THREE.BufferAttribute(positions, 3));
    g.setAttribute('_feature_id_0', new THREE.BufferAttribute(new Float32Array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]), 1));
    const index = [0, 1, 2, 0, 2, 3, 4, 5, 6, 4, 6, 7, 8, 9, 10, 8, 10, 11];
    g.setIndex(index);
    const mesh = new THREE.Mesh(g);
    const triangles = new FeatureTriangles([mesh]);
    const own = (id: number) => Array.from((triangles.overlay(id, new THREE.MeshBasicMaterial())!.children[0] as THREE.Mesh).geometry.index!.array);
    expect(own(1)).toEqual([4, 5, 6, 4, 6, 7]);
    // building 0 hidden: the mesh draws the others' triangles only, and 1 and 2 keep their own
    filterMeshes([mesh], (id) => id !== 0);
    expect(g.index!.count).toBe(12);
    expect(own(1)).toEqual([4, 5, 6, 4, 6, 7]);
    expect(own(2)).toEqual([8, 9, 10, 8, 10, 11]);
    filterMeshes([mesh], null);
    expect(own(2)).toEqual([8, 9, 10, 8, 10, 11]);
  });
});
