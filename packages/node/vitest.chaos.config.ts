import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["chaos/**/*.chaos.ts"],
    testTimeout: 600_000
  }
})
