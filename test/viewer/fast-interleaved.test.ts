import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { patchInterleavedCopy } from '../../scripts/vite-fast-interleaved.js';

type Copy = (buffer: { arrayBuffer: ArrayBuffer }, byteOffset: number, byteStride: number, bytesPerElement: number, count: number) => ArrayBuffer;

/** The method `_getValueFromInterleavedBuffer` of a post-process-gltf.js source, as a function. */
function method(code: string): Copy {
  const m = /_getValueFromInterleavedBuffer(\(buffer, byteOffset, byteStride, bytesPerElement, count\) \{[\s\S]*?\n {4}\})/.exec(code);
  if (!m) throw new Error('no _getValueFromInterleavedBuffer');
  return new Function(`return function ${m[1]}`)() as Copy;
}

describe('the viewer bundle\'s loaders.gl (scripts/vite-fast-interleaved.ts)', () => {
  it('map-view-parsed-vertices-one-by-one: the installed loaders.gl still has the per-vertex copy, and the fast one gives the same bytes', () => {
    // (the package's entry is dist/index.js; the file beside it is the one the viewer's bundle takes)
    const file = path.join(path.dirname(createRequire(import.meta.url).resolve('@loaders.gl/gltf')), 'lib', 'api', 'post-process-gltf.js');
    const code = fs.readFileSync(file, 'utf8');
    const patched = patchInterleavedCopy(code, file);
    expect(patched).not.toBe(code);
    expect(patched).not.toMatch(/arrayBuffer\.slice\(elementOffset/);
    const [slow, fast] = [method(code), method(patched)];
    // a buffer view at an offset inside a larger buffer: 1,000 vertices of 20 bytes, an attribute of 6 bytes at 8
    const bytes = new Uint8Array(64 + 1000 * 20);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 251;
    const buffer = { arrayBuffer: bytes.buffer };
    for (const [offset, stride, size] of [[64 + 8, 20, 6], [64, 20, 4], [64 + 12, 20, 8], [0, 4, 4]]) {
      const count = Math.floor((bytes.length - offset - size) / stride) + 1;
      expect(new Uint8Array(fast(buffer, offset, stride, size, count))).toEqual(new Uint8Array(slow(buffer, offset, stride, size, count)));
    }
    // (a loaders.gl that reads otherwise stops the build instead of shipping the slow copy unnoticed)
    expect(() => patchInterleavedCopy('class X {}', 'x.js')).toThrow(/no longer has the interleaved copy/);
  });
});
