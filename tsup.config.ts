import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    node: 'src/node.ts',
    cli: 'src/cli/main.ts',
    'bzip2-worker': 'src/compress/bzip2-worker.ts',
    'report-worker': 'src/cli/report-worker.ts',
    'report-web-worker': 'src/report/web-worker.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  // Maps for stack traces (file:line in src/), without `sourcesContent`: the package does not ship
  // src/, and embedded sources doubled the tarball (the CTM tables' base64 twice over).
  sourcemap: true,
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  clean: true,
  target: 'es2022',
  treeshake: true,
  splitting: true,
});
