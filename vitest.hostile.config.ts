import { defineConfig } from 'vitest/config';

// `npm run test:hostile`: the slow hostile-input cases (100 MB headers, archives with real
// payloads, peak-memory checks). Forks, one file at a time, so each process's peak RSS is its own.
export default defineConfig({
  test: {
    include: ['test/hostile/**/*.slow.ts'],
    testTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
