import { defineConfig } from 'vitest/config';
import tsconfigPaths from 'vite-tsconfig-paths';

export default defineConfig({
  // Resolves the path aliases declared in tsconfig.json (`nest-signalr`).
  plugins: [tsconfigPaths()],
  test: {
    globals: true,
    root: './',
    include: ['apps/**/*.spec.ts', 'libs/**/*.spec.ts', 'test/**/*.e2e-spec.ts'],
    // The consumer apps run their own tests, with their own toolchains (test/consumers/consumers.e2e-spec.ts).
    exclude: ['**/node_modules/**', 'test/consumers/*/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
