import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as Postcode from "../src/Postcode.js"

const decode = Schema.decodeUnknownEither(Postcode.Postcode)

describe("Postcode", () => {
  it("normalises to upper case with one space", () => {
    for (
      const [typed, normal] of [["ls16ae", "LS1 6AE"], [" LS1  6AE ", "LS1 6AE"], ["sw1a1aa", "SW1A 1AA"], [
        "M1 1AE",
        "M1 1AE"
      ], ["gir0aa", "GIR 0AA"]]
    ) {
      expect(decode(typed)).toEqual(Either.right(normal))
    }
  })

  it("rejects what is not a UK postcode", () => {
    for (const typed of ["", "LS1", "12345", "LS1 6AEE", "QQ1 1QQ1", "LS1-6AE"]) {
      expect(Either.isLeft(decode(typed))).toBe(true)
    }
  })

  it.prop("never throws, whatever it is given", [FastCheck.anything()], ([input]) => {
    expect(() => decode(input)).not.toThrow()
  })
})
