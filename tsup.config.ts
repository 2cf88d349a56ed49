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
  sourcemap: true,
  clean: true,
  target: 'es2022',
  treeshake: true,
  splitting: true,
});
