import { defineConfig } from 'vite';
// (loaders.gl's interleaved-accessor copy made fast: see the script)
import { fastInterleavedCopy } from '../../scripts/vite-fast-interleaved.js';

// The viewer is bundled at build time (npm run build) into dist/viewer: no CDN, no network needed.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  logLevel: 'warn',
  plugins: [fastInterleavedCopy()],
  build: { outDir: '../../dist/viewer', emptyOutDir: true, chunkSizeWarningLimit: 4000 },
});
