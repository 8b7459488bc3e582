import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup/fuzz.ts"],
    sequence: { concurrent: false },
    // The CLI tests spawn real processes; on a busy 2-core CI machine one can take seconds to start.
    testTimeout: 60_000
  }
})
