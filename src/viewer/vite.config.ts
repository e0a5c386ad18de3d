import { defineConfig } from 'vite';

// The viewer is bundled at build time (npm run build) into dist/viewer: no CDN, no network needed.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  logLevel: 'warn',
  build: { outDir: '../../dist/viewer', emptyOutDir: true, chunkSizeWarningLimit: 4000 },
});
