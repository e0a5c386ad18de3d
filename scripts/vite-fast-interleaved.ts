import type { Plugin } from 'vite';

// A build-time change to loaders.gl for the viewer bundle (src/viewer/vite.config.ts).
//
// map-view-parsed-vertices-one-by-one: loaders.gl's glTF post-processing copies an interleaved accessor
// (every cityforge tile's vertex attributes) one element at a time, each through `ArrayBuffer.slice`: a
// new buffer per vertex and attribute, 1.7 s of the tileset map view's first load on SF. The same copy
// from one view of the buffer, byte for byte the same result. A loaders.gl whose method reads otherwise
// stops the build, so the change is not lost silently on an upgrade.

/** The file of @loaders.gl/gltf that holds the copy. */
export const POST_PROCESS_FILE = /@loaders\.gl\/gltf\/dist\/lib\/api\/post-process-gltf\.js$/;

const SLOW = /_getValueFromInterleavedBuffer\(buffer, byteOffset, byteStride, bytesPerElement, count\) \{[^}]*\{[^}]*\}[^}]*\}/;
const FAST = `_getValueFromInterleavedBuffer(buffer, byteOffset, byteStride, bytesPerElement, count) {
        const result = new Uint8Array(count * bytesPerElement);
        const src = new Uint8Array(buffer.arrayBuffer);
        for (let i = 0, s = byteOffset, d = 0; i < count; i++, s += byteStride)
            for (let b = 0; b < bytesPerElement; b++) result[d++] = src[s + b];
        return result.buffer;
    }`;

/** The source of post-process-gltf.js with the fast copy; throws when the method is not the one replaced. */
export function patchInterleavedCopy(code: string, id = 'post-process-gltf.js'): string {
  if (!SLOW.test(code)) throw new Error(`cityforge viewer build: ${id} no longer has the interleaved copy this build replaces; see scripts/vite-fast-interleaved.mjs`);
  return code.replace(SLOW, FAST);
}

/** The Vite plugin. */
export function fastInterleavedCopy(): Plugin {
  return {
    name: 'cityforge-fast-interleaved-copy',
    transform(code: string, id: string) {
      return POST_PROCESS_FILE.test(id) ? { code: patchInterleavedCopy(code, id), map: null } : null;
    },
  };
}
