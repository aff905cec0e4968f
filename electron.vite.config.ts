import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import react from '@vitejs/plugin-react';

// Top-level main/, preload/ and renderer/ (not src/): see docs/architecture.md, Layout.
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: { lib: { entry: resolve(__dirname, 'main/index.ts') } },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    // A sandboxed preload must be CommonJS.
    build: {
      lib: { entry: resolve(__dirname, 'preload/index.ts') },
      rollupOptions: { output: { format: 'cjs', entryFileNames: '[name].js' } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    plugins: [react()],
    // electron-vite leaves its bundles unminified; the renderer is shipped minified (~4x smaller gzip).
    build: { minify: true, rollupOptions: { input: resolve(__dirname, 'renderer/index.html') } },
  },
});
