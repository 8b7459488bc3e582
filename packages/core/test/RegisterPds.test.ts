import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as NhsNumber from "../src/NhsNumber.js"
import * as RegisterPds from "../src/RegisterPds.js"

const issuesOf = (input: unknown) =>
  Either.match(RegisterPds.decodeInput(input), { onLeft: (error) => error.issues, onRight: () => [] })

describe("RegisterPds", () => {
  it("normalises both variants", () => {
    expect(RegisterPds.decodeInput({ nhsNumber: "943-476-5919", dob: "2010-10-22" })).toEqual(
      Either.right({ nhsNumber: "9434765919", dob: "2010-10-22" })
    )
    expect(
      RegisterPds.decodeInput({ forename: "Jane", surname: "Smith", dob: "2010-10-22", postcode: "ls16ae" })
    ).toEqual(Either.right({ forename: "Jane", surname: "Smith", dob: "2010-10-22", postcode: "LS1 6AE" }))
  })

  it("reports every problem per field, without repeating values", () => {
    const issues = issuesOf({ nhsNumber: "9434765918", dob: "1992-13-01", ehrPartner: "" })
    expect(issues.map((issue) => issue.path)).toEqual(["nhsNumber", "dob", "ehrPartner"])
    expect(JSON.stringify(issues)).not.toMatch(/9434765918|1992-13-01/)
  })

  it("names missing fields and ignores (drops) other properties", () => {
    expect(issuesOf({ nhsNumber: "9434765919" })).toEqual([{ path: "dob", message: "is missing" }])
    expect(RegisterPds.decodeInput({ nhsNumber: "9434765919", dob: "2010-10-22", rowId: 7 })).toEqual(
      Either.right({ nhsNumber: "9434765919", dob: "2010-10-22" })
    )
    expect(issuesOf({ forename: "Jane", dob: "2010-10-22" }).map((issue) => issue.path)).toEqual([
      "surname",
      "postcode"
    ])
  })

  it("explains the two shapes when the input is neither", () => {
    for (const input of [null, "9434765919", 42, {}, { dob: "2010-10-22" }]) {
      expect(issuesOf(input)).toEqual([{ path: "", message: expect.stringContaining("nhsNumber and dob") }])
    }
  })

  it("does not echo a number passed where a string belongs", () => {
    const issues = issuesOf({ nhsNumber: 9434765919, dob: 20101022 })
    expect(issues.map((issue) => issue.path)).toEqual(["nhsNumber", "dob"])
    expect(JSON.stringify(issues)).not.toMatch(/9434765919|20101022/)
  })

  it("encodes the wire body in snake_case", () => {
    const request = Either.getOrThrow(
      RegisterPds.decodeInput({ nhsNumber: "943 476 5919", dob: "2010-10-22", ehrPartner: "emis", ehrPartnerId: "1" })
    )
    expect(RegisterPds.toWire(request)).toEqual({
      nhs_number: "9434765919",
      dob: "2010-10-22",
      ehr_partner: "emis",
      ehr_partner_id: "1"
    })
  })

  it("reads every field off the schemas: code name, wire name, optionality and what Hero expects", () => {
    expect(RegisterPds.variants.map((variant) => [variant.name, variant.fields])).toEqual([
      ["ByNhsNumber", [
        { name: "nhsNumber", wire: "nhs_number", optional: false, expected: "NHS number" },
        { name: "dob", wire: "dob", optional: false, expected: "YYYY-MM-DD" },
        { name: "ehrPartner", wire: "ehr_partner", optional: true, expected: "non-empty string" },
        { name: "ehrPartnerId", wire: "ehr_partner_id", optional: true, expected: "non-empty string" }
      ]],
      ["ByDemographics", [
        { name: "forename", wire: "forename", optional: false, expected: "non-empty string" },
        { name: "surname", wire: "surname", optional: false, expected: "non-empty string" },
        { name: "dob", wire: "dob", optional: false, expected: "YYYY-MM-DD" },
        { name: "postcode", wire: "postcode", optional: false, expected: "UK postcode" },
        { name: "ehrPartner", wire: "ehr_partner", optional: true, expected: "non-empty string" },
        { name: "ehrPartnerId", wire: "ehr_partner_id", optional: true, expected: "non-empty string" }
      ]]
    ])
    expect(RegisterPds.variants.map((variant) => variant.own.map((field) => field.name))).toEqual([
      ["nhsNumber"],
      ["forename", "surname", "postcode"]
    ])
    expect([...RegisterPds.wireFieldNames].sort()).toEqual(
      ["dob", "ehr_partner", "ehr_partner_id", "forename", "nhs_number", "postcode", "surname"]
    )
  })

  it("says a repeated-digit NHS number is never issued", () => {
    expect(issuesOf({ nhsNumber: "222 222 2222", dob: "2010-10-22" })).toEqual([
      { path: "nhsNumber", message: NhsNumber.repeatedDigitMessage }
    ])
  })

  it("checks a wire body the way Hero does, with Hero's issue shape", () => {
    expect(RegisterPds.decodeWire({ nhs_number: "943 476 5919", dob: "2010-10-22", ehr_partner: "emis" })).toEqual(
      Either.right({ nhsNumber: "9434765919", dob: "2010-10-22", ehrPartner: "emis" })
    )
    expect(RegisterPds.decodeWire({ nhs_number: 9434765919, dob: "22/10/2010" })).toEqual(Either.left([
      { code: "invalid_type", expected: "string", path: ["nhs_number"] },
      { code: "invalid_string", expected: "YYYY-MM-DD", path: ["dob"] }
    ]))
    expect(RegisterPds.decodeWire({ forename: "Jane", dob: "2010-10-22", postcode: "nowhere" })).toEqual(Either.left([
      { code: "invalid_type", expected: "string", path: ["surname"] },
      { code: "invalid_string", expected: "UK postcode", path: ["postcode"] }
    ]))
    expect(RegisterPds.decodeWire([])).toEqual(Either.left([{ code: "invalid_type", expected: "object", path: [] }]))
  })

  it("decodes both results and rejects anything else", () => {
    expect(RegisterPds.decodeResult({ patient_id: "98765" })).toEqual(
      Either.right(new RegisterPds.Registered({ patientId: "98765" }))
    )
    expect(RegisterPds.decodeResult({ patient_id: 98765 })).toEqual(
      Either.right(new RegisterPds.Registered({ patientId: "98765" }))
    )
    expect(RegisterPds.decodeResult({ message: "Verify", login_url: "https://x.test/v" })).toEqual(
      Either.right(new RegisterPds.VerificationRequired({ message: "Verify", loginUrl: "https://x.test/v" }))
    )
    for (
      const body of [{}, { patient_id: "" }, { patient_id: -1 }, { patient_id: 1.5 }, { login_url: "https://x" }, []]
    ) {
      expect(Either.isLeft(RegisterPds.decodeResult(body))).toBe(true)
    }
  })

  it.prop("never throws, whatever it is given", [FastCheck.anything()], ([input]) => {
    expect(() => RegisterPds.decodeInput(input)).not.toThrow()
    expect(() => RegisterPds.decodeResult(input)).not.toThrow()
  })
})
