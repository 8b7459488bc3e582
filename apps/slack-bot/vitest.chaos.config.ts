import { defineConfig } from "vitest/config"

/**
 * The chaos suite (`pnpm test:chaos`): long randomized runs against the real servers, apart from `pnpm test`.
 * `CHAOS_REQUESTS` sets the size of a run and `CHAOS_SEED` replays one.
 */
export default defineConfig({
  test: {
    include: ["chaos/**/*.chaos.ts"],
    sequence: { concurrent: false },
    testTimeout: 170_000,
    hookTimeout: 60_000
  }
})
