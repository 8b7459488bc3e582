import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as fc from "fast-check"
import { wireOf } from "../src/internal/heroClient.js"
import { decodeBody } from "../src/internal/response.js"
import * as RegisterPds from "../src/RegisterPds.js"

describe("the fast paths agree with the schemas", () => {
  it("a 2xx body decodes as RegisterPds.decodeResult says, whatever its patient_id", () => {
    const patientId = fc.oneof(
      fc.string(),
      fc.constantFrom(" 1", "1 ", "", "\t", "98765"),
      fc.integer(),
      fc.double(),
      fc.constantFrom(null, true, -1, 2 ** 60, Number.NaN)
    )
    const verification = fc.record({ message: fc.string(), login_url: fc.constantFrom("https://x.test/a", "http://x") })
    fc.assert(
      fc.property(patientId, fc.option(verification), (id, extra) => {
        const json = { patient_id: id, ...extra }
        const fast = decodeBody(JSON.stringify(json), "c-1")
        const schema = RegisterPds.decodeResult(JSON.parse(JSON.stringify(json)))
        expect(Either.isRight(fast)).toBe(Either.isRight(schema))
        if (Either.isRight(fast) && Either.isRight(schema)) {
          expect(fast.right).toEqual(RegisterPds.withCorrelationId(schema.right, "c-1"))
        }
      })
    )
  })

  it("the wire body is what RegisterPds.toWire gives, for both variants", () => {
    const inputs = [
      { nhsNumber: "943 476 5919", dob: "2010-10-22" },
      { nhsNumber: "9434765919", dob: "2010-10-22", ehrPartner: "emis", ehrPartnerId: "42" },
      { forename: " Jane ", surname: "Smith", dob: "2010-10-22", postcode: "sw1a1aa", ehrPartner: "tpp" }
    ]
    for (const input of inputs) {
      const request = Either.getOrThrow(RegisterPds.decodeInput(input))
      expect(JSON.stringify(wireOf(request))).toBe(JSON.stringify(RegisterPds.toWire(request)))
    }
  })
})
