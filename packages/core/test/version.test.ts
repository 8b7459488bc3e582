import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import * as HeroClient from "../src/HeroClient.js"

describe("version", () => {
  it("the user-agent names the version in package.json", () => {
    const { name, version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))
    expect(HeroClient.userAgent).toBe(`${name}/${version}`)
  })
})
