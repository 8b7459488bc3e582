/**
 * The `register_pds` call: its two request variants, its result union and their wire encodings.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as DateOfBirth from "./DateOfBirth.js"
import { InvalidInput } from "./HeroError.js"
import * as NhsNumber from "./NhsNumber.js"
import * as Postcode from "./Postcode.js"

/**
 * The path of the call, relative to the base URL.
 *
 * @since 0.1.0
 */
export const path = "/v1/patients/register_pds"

/**
 * Optional fields of both variants: the EHR system the patient came from and its id there.
 *
 * @since 0.1.0
 * @category models
 */
export interface EhrFields {
  readonly ehrPartner?: string | undefined
  readonly ehrPartnerId?: string | undefined
}

/**
 * Trace by NHS number and date of birth, as typed (`943 476 5919`, `1992-01-01`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ByNhsNumberInput extends EhrFields {
  readonly nhsNumber: string
  readonly dob: string
}

/**
 * Trace by demographics: forename, surname, date of birth and postcode.
 *
 * @since 0.1.0
 * @category models
 */
export interface ByDemographicsInput extends EhrFields {
  readonly forename: string
  readonly surname: string
  readonly dob: string
  readonly postcode: string
}

/**
 * What a caller passes to `registerPds`.
 *
 * @since 0.1.0
 * @category models
 */
export type Input = ByNhsNumberInput | ByDemographicsInput

const Text = Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(100))

const ehrFields = {
  ehrPartner: Schema.optionalWith(Text, { exact: true }),
  ehrPartnerId: Schema.optionalWith(Text, { exact: true })
}

/**
 * A validated request to trace by NHS number.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ByNhsNumber = Schema.Struct({
  nhsNumber: NhsNumber.NhsNumber,
  dob: DateOfBirth.DateOfBirth,
  ...ehrFields
})

/**
 * A validated request to trace by demographics.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ByDemographics = Schema.Struct({
  forename: Text,
  surname: Text,
  dob: DateOfBirth.DateOfBirth,
  postcode: Postcode.Postcode,
  ...ehrFields
})

/**
 * A validated request, either variant.
 *
 * @since 0.1.0
 * @category models
 */
export type Request = typeof ByNhsNumber.Type | typeof ByDemographics.Type

const shapeMessage = "must be an object with nhsNumber and dob, or with forename, surname, dob and postcode"
// Other properties are ignored (and dropped), so callers can pass their own records, e.g. rows with an id.
const decodeByNhsNumber = Schema.decodeUnknownEither(ByNhsNumber, { errors: "all" })
const decodeByDemographics = Schema.decodeUnknownEither(ByDemographics, { errors: "all" })

const textMessage = "must be text of 1 to 100 characters"

/** What each field must be. Messages come from here, never from the value, which may be patient data. */
const fieldMessages: Record<string, string> = {
  nhsNumber: NhsNumber.invalidMessage,
  dob: DateOfBirth.invalidMessage,
  postcode: Postcode.invalidMessage,
  forename: textMessage,
  surname: textMessage,
  ehrPartner: textMessage,
  ehrPartnerId: textMessage
}

const messageOf = (issue: ParseResult.ArrayFormatterIssue): string => {
  switch (issue._tag) {
    case "Missing":
      return "is missing"
    default:
      return fieldMessages[String(issue.path[0])] ?? shapeMessage
  }
}

const toInvalidInput = (error: ParseResult.ParseError): InvalidInput =>
  new InvalidInput({
    issues: ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
      path: issue.path.join("."),
      message: messageOf(issue)
    }))
  })

/**
 * Validates what a caller passed, locally and before anything is sent. Fields are normalised
 * (NHS number to 10 digits, postcode to `LS1 6AE`); every problem is reported per field.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeInput = (input: unknown): Either.Either<Request, InvalidInput> => {
  if (!Predicate.isRecord(input)) {
    return Either.left(new InvalidInput({ issues: [{ path: "", message: shapeMessage }] }))
  }
  if ("nhsNumber" in input) return Either.mapLeft(decodeByNhsNumber(input), toInvalidInput)
  if ("forename" in input || "surname" in input || "postcode" in input) {
    return Either.mapLeft(decodeByDemographics(input), toInvalidInput)
  }
  return Either.left(new InvalidInput({ issues: [{ path: "", message: shapeMessage }] }))
}

/**
 * The JSON body Hero expects, in snake_case.
 *
 * @since 0.1.0
 * @category models
 */
export interface WireRequest {
  readonly nhs_number?: string
  readonly forename?: string
  readonly surname?: string
  readonly dob: string
  readonly postcode?: string
  readonly ehr_partner?: string
  readonly ehr_partner_id?: string
}

/**
 * Encodes a validated request as Hero's JSON body.
 *
 * @since 0.1.0
 * @category encoding
 */
export const toWire = (request: Request): WireRequest => {
  const ehr = {
    ...(request.ehrPartner === undefined ? {} : { ehr_partner: request.ehrPartner }),
    ...(request.ehrPartnerId === undefined ? {} : { ehr_partner_id: request.ehrPartnerId })
  }
  return "nhsNumber" in request
    ? { nhs_number: request.nhsNumber, dob: request.dob, ...ehr }
    : {
      forename: request.forename,
      surname: request.surname,
      dob: request.dob,
      postcode: request.postcode,
      ...ehr
    }
}

/**
 * The patient is registered: keep `patientId` for booking links and messages.
 *
 * @since 0.1.0
 * @category models
 */
export class Registered extends Schema.TaggedClass<Registered>()("Registered", {
  patientId: Schema.NonEmptyString
}) {}

/**
 * Hero could not confirm the patient's identity from PDS alone: send the patient to `loginUrl`.
 *
 * @since 0.1.0
 * @category models
 */
export class VerificationRequired extends Schema.TaggedClass<VerificationRequired>()("VerificationRequired", {
  message: Schema.String,
  loginUrl: Schema.String
}) {}

/**
 * Both successful outcomes of `register_pds`.
 *
 * @since 0.1.0
 * @category models
 */
export type Result = Registered | VerificationRequired

const isHttpsUrl = (input: string): boolean => {
  try {
    return new URL(input).protocol === "https:"
  } catch {
    return false
  }
}

/**
 * `{"patient_id": "98765"}` (a number is accepted and made a string) as `Registered`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegisteredFromWire = Schema.transform(
  Schema.Struct({ patient_id: Schema.Union(Schema.NonEmptyTrimmedString, Schema.NonNegativeInt) }),
  Schema.typeSchema(Registered),
  {
    strict: true,
    decode: (wire) => new Registered({ patientId: String(wire.patient_id) }),
    encode: (registered) => ({ patient_id: registered.patientId })
  }
)

/**
 * `{"message": ..., "login_url": ...}` as `VerificationRequired` (the link must be `https:`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const VerificationRequiredFromWire = Schema.transform(
  Schema.Struct({ message: Schema.String, login_url: Schema.String.pipe(Schema.filter(isHttpsUrl)) }),
  Schema.typeSchema(VerificationRequired),
  {
    strict: true,
    decode: (wire) => new VerificationRequired({ message: wire.message, loginUrl: wire.login_url }),
    encode: (verification) => ({ message: verification.message, login_url: verification.loginUrl })
  }
)

/**
 * A 2xx body as either result.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResultFromWire = Schema.Union(RegisteredFromWire, VerificationRequiredFromWire)

/**
 * Decodes a parsed 2xx body; `None`-like `Left` when it matches neither result.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeResult: (body: unknown) => Either.Either<Result, ParseResult.ParseError> = Schema
  .decodeUnknownEither(ResultFromWire)
