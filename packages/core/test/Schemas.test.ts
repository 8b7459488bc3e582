/**
 * The client reads requests and results by hand (no `effect/Schema` in a Worker); the schemas Effect users get are
 * built from the same definitions. These properties hold the two equal.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import { heroIssuesOf } from "../src/internal/response.js"
import * as NhsNumber from "../src/NhsNumber.js"
import * as RegisterPds from "../src/RegisterPds.js"

const schemas: Record<RegisterPds.Variant["name"], Schema.Schema<RegisterPds.Request, object>> = {
  ByNhsNumber: RegisterPds.ByNhsNumber as unknown as Schema.Schema<RegisterPds.Request, object>,
  ByDemographics: RegisterPds.ByDemographics as unknown as Schema.Schema<RegisterPds.Request, object>
}

const validNhs = fc.integer({ min: 100_000_000, max: 999_999_999 }).map(String).map((nine) => {
  const check = NhsNumber.checkDigitOf(nine)
  return check === undefined ? nine : `${nine}${check}`
})
/** Text of every kind a field may get: valid, almost valid, blank, padded, too long, not text at all. */
const value = fc.oneof(
  validNhs,
  validNhs.map((digits) => `${digits.slice(0, 3)} ${digits.slice(3, 6)}-${digits.slice(6)}`),
  fc.constantFrom("1111111111", "943 476 5919", "2010-10-22", "2010-02-30", "1899-12-31", "2999-01-01"),
  fc.constantFrom("ls16ae", " LS1  6AE ", "SW1A 1AA", "nowhere", "GIR0AA", "Jane", "  ", "", " Smith "),
  fc.string({ maxLength: 3 }).map((s) => "x".repeat(99) + s),
  fc.string(),
  fc.constantFrom(undefined, null, 42, true, [], {})
)
const bodyOf = (variant: RegisterPds.Variant) =>
  fc.record(
    Object.fromEntries(variant.fields.map((field) => [field.wire, value])),
    { requiredKeys: [] }
  ).chain((body) => fc.constantFrom(body, { ...body, other: 1 }))

describe("the hand readers agree with the schemas", () => {
  it("each variant decodes a body as its schema does (errors: all), problem for problem", () => {
    for (const variant of RegisterPds.variants) {
      const decode = Schema.decodeUnknownEither(schemas[variant.name], { errors: "all" })
      fc.assert(
        fc.property(bodyOf(variant), (body) => {
          const hand = variant.decode(body)
          const schema = decode(body)
          if (Either.isRight(schema)) {
            expect(hand).toEqual(Either.right(schema.right))
          } else {
            expect(Either.isLeft(hand)).toBe(true)
            const issues = ParseResult.ArrayFormatter.formatErrorSync(schema.left)
            expect(Either.isLeft(hand) ? hand.left.map((p) => [p.field.wire, p.message]) : []).toEqual(
              issues.map((issue) => [issue.path[0], issue._tag === "Missing" ? "is missing" : issue.message])
            )
          }
        }),
        { numRuns: 2000 }
      )
    }
  })

  it("toWire is the schema's encoding, for every valid request", () => {
    for (const variant of RegisterPds.variants) {
      fc.assert(
        fc.property(bodyOf(variant), (body) => {
          const request = variant.decode(body)
          if (Either.isRight(request)) {
            expect(RegisterPds.toWire(request.right)).toEqual(
              Schema.encodeSync(schemas[variant.name])(request.right)
            )
          }
        })
      )
    }
  })

  it("the field list is what the schemas say: wire names, optionality, descriptions", () => {
    for (const variant of RegisterPds.variants) {
      const ast = schemas[variant.name].ast as unknown as {
        readonly to: { readonly propertySignatures: ReadonlyArray<{ readonly name: string }> }
      }
      expect(ast.to.propertySignatures.map((signature) => signature.name)).toEqual(
        variant.fields.map((field) => field.name)
      )
    }
  })

  it("readResult gives decodeResult's answer, whatever the body", () => {
    const id = fc.oneof(
      fc.string(),
      fc.constantFrom(" 1", "1 ", "", "98765"),
      fc.integer(),
      fc.double(),
      fc.constantFrom(null, true, -1, -0, 2 ** 60)
    )
    const url = fc.oneof(fc.constantFrom("https://x.test/a", "http://x", "https://", "not a url", 7), fc.webUrl())
    const body = fc.oneof(
      fc.record({ patient_id: id, message: fc.oneof(fc.string(), fc.constant(1)), login_url: url }, {
        requiredKeys: []
      }),
      fc.anything()
    )
    fc.assert(
      fc.property(body, (json) => {
        const schema = RegisterPds.decodeResult(json)
        expect(RegisterPds.readResult(json)).toEqual(Either.getOrUndefined(schema))
      }),
      { numRuns: 2000 }
    )
  })

  it("Hero's 400 issues are read as the schema of that body reads them", () => {
    const HeroIssues = Schema.Struct({
      message: Schema.Array(Schema.Struct({
        code: Schema.String,
        expected: Schema.optional(Schema.String),
        path: Schema.Array(Schema.Union(Schema.String, Schema.Number))
      }))
    })
    const issue = fc.record({
      code: fc.oneof(fc.string(), fc.constant(1)),
      expected: fc.oneof(fc.string(), fc.constant(undefined), fc.constant(2)),
      path: fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)))
    }, { requiredKeys: ["code", "path"] })
    const body = fc.oneof(fc.record({ message: fc.array(issue) }), fc.anything())
    fc.assert(
      fc.property(body, (json) => {
        const schema = Schema.decodeUnknownOption(HeroIssues)(json)
        expect(heroIssuesOf(json)._tag).toBe(schema._tag)
      })
    )
  })

  it("the result classes keep their schemas, round trip", () => {
    const registered = new RegisterPds.Registered({ patientId: "98765", correlationId: "c-1" })
    const encoded = Schema.encodeSync(RegisterPds.RegisteredSchema)(registered)
    expect(encoded).toEqual({ _tag: "Registered", patientId: "98765", correlationId: "c-1" })
    expect(Schema.decodeSync(RegisterPds.RegisteredSchema)(encoded)).toEqual(registered)
    expect(
      Either.isLeft(Schema.decodeUnknownEither(RegisterPds.RegisteredSchema)({ _tag: "Registered", patientId: "" }))
    )
      .toBe(true)
    const verification = new RegisterPds.VerificationRequired({ message: "m", loginUrl: "https://x.test/v" })
    expect(
      Schema.decodeSync(RegisterPds.VerificationRequiredSchema)(
        Schema.encodeSync(RegisterPds.VerificationRequiredSchema)(verification)
      )
    ).toEqual(verification)
    expect(String(registered)).toBe(
      "Registered({ \"_tag\": \"Registered\", \"patientId\": \"98765\", \"correlationId\": \"c-1\" })"
    )
  })
})
