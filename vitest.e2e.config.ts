import { defineConfig } from 'vitest/config';

// End-to-end suites drive real processes (stress-ng, prometheus, tmux) and the built CLI,
// so they run one file at a time and never in parallel with each other.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
