/**
 * The `register_pds` call: its two request variants, its result union and their wire encodings.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
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

const textMessage = "must be text of 1 to 100 characters"

const Text = Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(100)).annotations({
  description: "non-empty string",
  message: () => ({ message: textMessage, override: true })
})

/** A field sent under another name on the wire: the schema is the one place that says so. */
const onWire = <S extends Schema.Schema.Any>(schema: S, key: string) =>
  Schema.propertySignature(schema).pipe(Schema.fromKey(key))

const optionalOnWire = <S extends Schema.Schema.Any>(schema: S, key: string) =>
  Schema.optionalWith(schema, { exact: true }).pipe(Schema.fromKey(key))

const ehrFields = {
  ehrPartner: optionalOnWire(Text, "ehr_partner"),
  ehrPartnerId: optionalOnWire(Text, "ehr_partner_id")
}

/**
 * A request to trace by NHS number. Its encoded side is Hero's snake_case body: decoding validates and
 * normalises a body, encoding a validated request gives the body to send.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ByNhsNumber = Schema.Struct({
  nhsNumber: onWire(NhsNumber.NhsNumber, "nhs_number"),
  dob: DateOfBirth.DateOfBirth,
  ...ehrFields
})

/**
 * A request to trace by demographics (snake_case on the wire, like {@link ByNhsNumber}).
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

/** A request as a caller types it: every field text, optional where the schema says so. */
type Typed<T> = { readonly [K in keyof T]: string }

/**
 * Trace by NHS number and date of birth, as typed (`943 476 5919`, `1992-01-01`).
 *
 * @since 0.1.0
 * @category models
 */
export type ByNhsNumberInput = Typed<typeof ByNhsNumber.Type>

/**
 * Trace by demographics: forename, surname, date of birth and postcode.
 *
 * @since 0.1.0
 * @category models
 */
export type ByDemographicsInput = Typed<typeof ByDemographics.Type>

/**
 * What a caller passes to `registerPds`.
 *
 * @since 0.1.0
 * @category models
 */
export type Input = ByNhsNumberInput | ByDemographicsInput

/**
 * A validated request, either variant.
 *
 * @since 0.1.0
 * @category models
 */
export type Request = typeof ByNhsNumber.Type | typeof ByDemographics.Type

/**
 * The JSON body Hero expects, in snake_case.
 *
 * @since 0.1.0
 * @category models
 */
export type WireRequest = typeof ByNhsNumber.Encoded | typeof ByDemographics.Encoded

/**
 * One field of a request, read off its schema: its name in code, its name on the wire, whether it may be left out,
 * and what it must be.
 *
 * @since 0.1.0
 * @category models
 */
export interface Field {
  readonly name: string
  readonly wire: string
  readonly optional: boolean
  /** What Hero expects, e.g. `YYYY-MM-DD` (its 400 bodies' `expected`). */
  readonly expected: string
}

/**
 * A request variant: its schema and the fields read off it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Variant {
  readonly name: "ByNhsNumber" | "ByDemographics"
  readonly fields: ReadonlyArray<Field>
  /** The required fields no other variant has: their presence says this variant is meant. */
  readonly own: ReadonlyArray<Field>
  /** Validates and normalises a snake_case body of this variant, reporting every problem. */
  readonly decode: (body: unknown) => Either.Either<Request, ParseResult.ParseError>
}

const fieldOf = (name: string, field: Schema.Struct.Field): Field => {
  const ast = field.ast
  const [type, wire, optional] = ast._tag === "PropertySignatureTransformation"
    ? [ast.from.type, ast.from.fromKey ?? name, ast.from.isOptional]
    : ast._tag === "PropertySignatureDeclaration"
    ? [ast.type, name, ast.isOptional]
    : [ast, name, false]
  return {
    name,
    wire: String(wire),
    optional,
    expected: Option.getOrElse(AST.getDescriptionAnnotation(type), () => "")
  }
}

const variant = <A extends Request, I>(
  name: Variant["name"],
  schema: Schema.Schema<A, I> & { readonly fields: Schema.Struct.Fields },
  other: Schema.Struct.Fields
): Variant => {
  const fields = Object.entries(schema.fields).map(([key, field]) => fieldOf(key, field))
  return {
    name,
    fields,
    own: fields.filter((field) => !field.optional && !(field.name in other)),
    decode: Schema.decodeUnknownEither(schema, { errors: "all" })
  }
}

/**
 * Both variants, each with its fields in order: the source of the wire names, the CLI's and bulk's field names and
 * the sandbox's body check.
 *
 * @since 0.1.0
 */
export const variants: readonly [Variant, Variant] = [
  variant("ByNhsNumber", ByNhsNumber, ByDemographics.fields),
  variant("ByDemographics", ByDemographics, ByNhsNumber.fields)
]

/**
 * Every field name that can appear on the wire (`nhs_number`, `dob`, ...).
 *
 * @since 0.1.0
 */
export const wireFieldNames: ReadonlySet<string> = new Set(variants.flatMap((_) => _.fields.map((field) => field.wire)))

const variantOf = (input: Record<string, unknown>, key: "name" | "wire"): Variant | undefined =>
  variants.find((candidate) => candidate.own.some((field) => field[key] in input))

/** `a, b and c` */
const listOf = (names: ReadonlyArray<string>): string =>
  names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`

const shapeMessage = `must be an object with ${
  variants.map((_) => listOf(_.fields.filter((field) => !field.optional).map((field) => field.name))).join(", or with ")
}`

const notAnInput = new InvalidInput({ issues: [{ path: "", message: shapeMessage }] })

const messageOf = (issue: ParseResult.ArrayFormatterIssue): string =>
  issue._tag === "Missing" ? "is missing" : issue.message

/**
 * Validates what a caller passed, locally and before anything is sent. Fields are normalised
 * (NHS number to 10 digits, postcode to `LS1 6AE`); every problem is reported per field. Other properties are
 * ignored (and dropped), so callers can pass their own records, e.g. rows with an id.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeInput = (input: unknown): Either.Either<Request, InvalidInput> => {
  const chosen = Predicate.isRecord(input) ? variantOf(input, "name") : undefined
  if (chosen === undefined) return Either.left(notAnInput)
  const record = input as Record<string, unknown>
  const wire = Object.fromEntries(
    chosen.fields.filter((field) => field.name in record).map((field) => [field.wire, record[field.name]])
  )
  const nameOf = (wireName: unknown) => chosen.fields.find((field) => field.wire === wireName)?.name ?? ""
  return Either.mapLeft(
    chosen.decode(wire),
    (error) =>
      new InvalidInput({
        issues: ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
          path: nameOf(issue.path[0]),
          message: messageOf(issue)
        }))
      })
  )
}

/**
 * One problem with a wire body, as Hero's 400 bodies report it.
 *
 * @since 0.1.0
 * @category models
 */
export interface WireIssue {
  readonly code: "invalid_type" | "invalid_string"
  readonly expected: string
  readonly path: ReadonlyArray<string>
}

/**
 * Validates a snake_case body the way Hero does (for the sandbox): the request, or Hero-shaped issues.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeWire = (body: unknown): Either.Either<Request, ReadonlyArray<WireIssue>> => {
  const chosen = Predicate.isRecord(body) ? variantOf(body, "wire") ?? variants[0] : undefined
  if (chosen === undefined) return Either.left([{ code: "invalid_type", expected: "object", path: [] }])
  return Either.mapLeft(
    chosen.decode(body),
    (error) =>
      ParseResult.ArrayFormatter.formatErrorSync(error).map((issue): WireIssue => {
        const key = String(issue.path[0])
        return typeof (body as Record<string, unknown>)[key] !== "string"
          ? { code: "invalid_type", expected: "string", path: [key] }
          : {
            code: "invalid_string",
            expected: chosen.fields.find((field) => field.wire === key)?.expected ?? "string",
            path: [key]
          }
      })
  )
}

/**
 * Encodes a validated request as Hero's JSON body.
 *
 * @since 0.1.0
 * @category encoding
 */
export const toWire = (request: Request): WireRequest =>
  "nhsNumber" in request
    ? Schema.encodeSync(ByNhsNumber)(request)
    : Schema.encodeSync(ByDemographics)(request)

/**
 * The patient is registered: keep `patientId` for booking links and messages.
 *
 * @since 0.1.0
 * @category models
 */
export class Registered extends Schema.TaggedClass<Registered>()("Registered", {
  patientId: Schema.NonEmptyString,
  /** The call's `x-correlation-id`, when it came from `HeroClient`. */
  correlationId: Schema.optional(Schema.String)
}) {}

/**
 * Hero could not confirm the patient's identity from PDS alone: send the patient to `loginUrl`.
 *
 * @since 0.1.0
 * @category models
 */
export class VerificationRequired extends Schema.TaggedClass<VerificationRequired>()("VerificationRequired", {
  message: Schema.String,
  loginUrl: Schema.String,
  /** The call's `x-correlation-id`, when it came from `HeroClient`. */
  correlationId: Schema.optional(Schema.String)
}) {}

/**
 * Both successful outcomes of `register_pds`.
 *
 * @since 0.1.0
 * @category models
 */
export type Result = Registered | VerificationRequired

/**
 * The same result, carrying the correlation id of the call that got it.
 *
 * @since 0.2.0
 * @category constructors
 */
export const withCorrelationId = (result: Result, correlationId: string): Result =>
  result._tag === "Registered"
    ? new Registered({ patientId: result.patientId, correlationId }, true)
    : new VerificationRequired({ message: result.message, loginUrl: result.loginUrl, correlationId }, true)

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
