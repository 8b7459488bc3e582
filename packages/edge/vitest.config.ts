import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    sequence: { concurrent: false },
    projects: [
      {
        extends: true,
        test: {
          name: "node",
          include: ["test/**/*.test.ts"],
          exclude: ["test/**/*.edge.test.ts"],
          // The workerd tests bundle the built package: build it (and stale project references) first.
          globalSetup: ["test/setup/build.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000
        }
      },
      {
        extends: true,
        test: {
          name: "edge-runtime",
          include: ["test/**/*.edge.test.ts"],
          environment: "edge-runtime",
          // The sandbox is served from Node, outside the edge VM; tests reach it at inject("harnessUrl").
          globalSetup: ["test/setup/harness.ts"],
          testTimeout: 30_000
        }
      }
    ]
  }
})
