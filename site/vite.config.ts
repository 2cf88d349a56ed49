import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The playground: static pages, relative asset URLs (servable from any folder), no external URLs.
export default defineConfig({
  root: __dirname,
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: { index: resolve(__dirname, 'index.html'), csp: resolve(__dirname, 'csp.html') },
    },
  },
  worker: { format: 'es' },
});
