import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as fc from "fast-check"
import { decodeInput, wireOf } from "../src/internal/request.js"
import { decodeBody } from "../src/internal/response.js"
import * as NhsNumber from "../src/NhsNumber.js"
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

  it("an input decodes as RegisterPds.decodeInput says, and the plain valid case skips the schema", () => {
    const validNhs = fc.integer({ min: 100_000_000, max: 999_999_999 }).map(String).chain((nine) => {
      const check = NhsNumber.checkDigitOf(nine)
      return check === undefined ? fc.constant(nine) : fc.constant(`${nine}${check}`)
    })
    const nhsNumber = fc.oneof(
      validNhs,
      validNhs.map((digits) => `${digits.slice(0, 3)} ${digits.slice(3, 6)}-${digits.slice(6)}`),
      fc.constantFrom("1111111111", "123 456 7891", "", " 9000000009 ", "90000000O9"),
      fc.string()
    )
    const dob = fc.oneof(
      fc.date({ min: new Date("1890-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }).map((date) =>
        date.toISOString().slice(0, 10)
      ),
      fc.constantFrom("2010-10-22", "22/10/2010", "2010-02-30", " 2010-10-22", "1900-01-01", "1899-12-31"),
      fc.string()
    )
    const extra = fc.oneof(
      fc.constant({}),
      fc.constant({ ehrPartner: "emis" }),
      fc.constant({ ehrPartnerId: undefined }),
      fc.constant({ rowId: 7 })
    )
    fc.assert(
      fc.property(nhsNumber, dob, extra, (nhs, date, more) => {
        const input = { nhsNumber: nhs, dob: date, ...more } as RegisterPds.Input
        expect(decodeInput(input)).toEqual(RegisterPds.decodeInput(input))
      })
    )
  })
})
