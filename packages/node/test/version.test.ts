import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { version } from "../src/internal/version.js"

describe("version", () => {
  it("matches package.json (the CLI's --version)", () => {
    expect(version).toBe(JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version)
  })
})
