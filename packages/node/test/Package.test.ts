/**
 * How the built package loads: as an ES module, through `require()` (Node 20.19+, 22.12+), and without
 * `@effect/platform-node` anywhere in the library's graph (only the bundled CLI has it).
 */
import { build } from "esbuild"
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("..", import.meta.url))
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number)

describe("the built @hero-pds/node", () => {
  it.runIf(major >= 22 || (major === 20 && minor >= 19))("loads with require(), like with import", () => {
    const script =
      "const hero = require('@hero-pds/node'); console.log(typeof hero.createHeroClient, typeof hero.NodeHeroTransport.make)"
    const output = execFileSync(process.execPath, ["--no-warnings", "-e", script], { cwd: root, encoding: "utf8" })
    expect(output.trim()).toBe("function function")
  })

  it("never loads @effect/platform-node or @effect/cli from the library", async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL("../dist/index.js", import.meta.url))],
      bundle: true,
      write: false,
      platform: "node",
      format: "esm",
      metafile: true,
      logLevel: "silent"
    })
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.filter((input) => /@effect\/(platform-node|cli)\//.test(input))).toEqual([])
    expect(inputs.some((input) => input.includes("undici"))).toBe(true)
  })
})
