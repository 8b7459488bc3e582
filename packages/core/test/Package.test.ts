/**
 * The built package loads through `require()` too (Node 20.19+, 22.12+), not only `import`.
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const [major = 0, minor = 0] = process.versions.node.split(".").map(Number)

describe("the built @hero-pds/core", () => {
  it.runIf(major >= 22 || (major === 20 && minor >= 19))("loads with require()", () => {
    const script = "const { HeroClient, HeroTransport } = require('@hero-pds/core'); " +
      "console.log(typeof HeroClient.layer, typeof HeroTransport.make)"
    const output = execFileSync(process.execPath, ["--no-warnings", "-e", script], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      encoding: "utf8"
    })
    expect(output.trim()).toBe("object function")
  })
})
