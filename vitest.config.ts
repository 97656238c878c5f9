import { defineConfig } from 'vitest/config';

// Unit tests are fast and pure; integration tests use the real ONNX models and ../shared/data.
// Both run in CI (`npm test`); no test carries a wall-clock limit beyond vitest's hang guard.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    testTimeout: 30 * 60 * 1000,
    hookTimeout: 30 * 60 * 1000,
    pool: 'forks',
  },
});
