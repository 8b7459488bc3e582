import * as DateOfBirth from "@hero-pds/core/DateOfBirth"
import * as NhsNumber from "@hero-pds/core/NhsNumber"
import * as Postcode from "@hero-pds/core/Postcode"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"

/** One validation issue, zod-like, as Hero reports it in a 400 body. */
export interface Issue {
  readonly code: "invalid_type" | "invalid_string"
  readonly expected: string
  readonly path: ReadonlyArray<string>
}

/** A register_pds body that passed validation. */
export type Query =
  | { readonly _tag: "ByNhsNumber"; readonly nhsNumber: string; readonly dob: string }
  | {
    readonly _tag: "ByDemographics"
    readonly forename: string
    readonly surname: string
    readonly dob: string
    readonly postcode: string
  }

interface Format {
  readonly expected: string
  readonly isValid: (value: string) => boolean
}

const nonEmpty: Format = { expected: "non-empty string", isValid: (value) => value.trim() !== "" }
const formats: Record<string, Format> = {
  nhs_number: { expected: "NHS number", isValid: NhsNumber.isValid },
  dob: { expected: "YYYY-MM-DD", isValid: DateOfBirth.isValid },
  forename: nonEmpty,
  surname: nonEmpty,
  postcode: { expected: "UK postcode", isValid: (value) => Postcode.normalize(value) !== undefined }
}

const required = (body: Record<string, unknown>, key: string): Issue | undefined => {
  const value = body[key]
  if (typeof value !== "string") return { code: "invalid_type", expected: "string", path: [key] }
  const format = formats[key]
  return format === undefined || format.isValid(value)
    ? undefined
    : { code: "invalid_string", expected: format.expected, path: [key] }
}

const optional = (body: Record<string, unknown>, key: string): Issue | undefined =>
  body[key] === undefined ? undefined : required(body, key)

const byNhsNumberKeys = ["nhs_number", "dob"]
const byDemographicsKeys = ["forename", "surname", "dob", "postcode"]

/**
 * Validates a parsed JSON body like Hero: `nhs_number` + `dob`, or `forename` + `surname` + `dob` +
 * `postcode`, each with optional string `ehr_partner` and `ehr_partner_id`. Unknown fields are ignored.
 */
export const decode = (body: unknown): Either.Either<Query, ReadonlyArray<Issue>> => {
  if (!Predicate.isRecord(body)) return Either.left([{ code: "invalid_type", expected: "object", path: [] }])
  const byDemographics = !("nhs_number" in body) && ["forename", "surname", "postcode"].some((key) => key in body)
  const keys = byDemographics ? byDemographicsKeys : byNhsNumberKeys
  const issues = [
    ...keys.map((key) => required(body, key)),
    ...["ehr_partner", "ehr_partner_id"].map((key) => optional(body, key))
  ].filter(Predicate.isNotUndefined)
  if (issues.length > 0) return Either.left(issues)
  const text = (key: string) => body[key] as string
  return Either.right(
    byDemographics
      ? {
        _tag: "ByDemographics",
        forename: text("forename"),
        surname: text("surname"),
        dob: text("dob"),
        postcode: text("postcode")
      }
      : { _tag: "ByNhsNumber", nhsNumber: NhsNumber.normalize(text("nhs_number")), dob: text("dob") }
  )
}
