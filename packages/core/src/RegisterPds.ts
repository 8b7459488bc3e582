/**
 * The `register_pds` call: its two request variants, its result union and their wire encodings.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
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

const textMessage = "must be text of 1 to 100 characters"

/**
 * The kinds of request field, each read by hand (the client's path: no `effect/Schema` in a Worker) and as a schema
 * (for Effect users), both from the same predicates; property tests hold the two equal.
 */
type Kind = "NhsNumber" | "DateOfBirth" | "Postcode" | "Text"

interface KindTypes {
  readonly NhsNumber: NhsNumber.NhsNumber
  readonly DateOfBirth: DateOfBirth.DateOfBirth
  readonly Postcode: Postcode.Postcode
  readonly Text: string
}

interface Reader {
  /** What Hero expects (its 400 bodies' `expected`), also the field schema's description. */
  readonly expected: string
  /** The value in its normal form, or what it must be (never the value itself). */
  readonly read: (value: unknown) => Either.Either<string, string>
}

const readers: { readonly [K in Kind]: Reader } = {
  NhsNumber: {
    expected: "NHS number",
    read: (value) => typeof value === "string" ? NhsNumber.parse(value) : Either.left(NhsNumber.invalidMessage)
  },
  DateOfBirth: {
    expected: "YYYY-MM-DD",
    read: (value) =>
      typeof value === "string" && DateOfBirth.isValid(value)
        ? Either.right(value)
        : Either.left(DateOfBirth.invalidMessage)
  },
  Postcode: {
    expected: "UK postcode",
    read: (value) => {
      const postcode = typeof value === "string" ? Postcode.normalize(value) : undefined
      return postcode === undefined ? Either.left(Postcode.invalidMessage) : Either.right(postcode)
    }
  },
  Text: {
    expected: "non-empty string",
    read: (value) => {
      const text = typeof value === "string" ? value.trim() : ""
      return text.length >= 1 && text.length <= 100 ? Either.right(text) : Either.left(textMessage)
    }
  }
}

interface FieldDefinition {
  readonly kind: Kind
  readonly wire: string
  readonly optional: boolean
}

const required = <K extends Kind, W extends string>(kind: K, wire: W) => ({ kind, wire, optional: false as const })
const optional = <K extends Kind, W extends string>(kind: K, wire: W) => ({ kind, wire, optional: true as const })

const ehrFields = {
  ehrPartner: optional("Text", "ehr_partner"),
  ehrPartnerId: optional("Text", "ehr_partner_id")
}

/**
 * THE definition of each request variant: its fields in order, each with its kind, its wire name and whether it may
 * be left out. Everything else follows from it: the schemas, {@link variants}, {@link wireFieldNames}, the validation
 * of inputs and wire bodies, {@link toWire}, the CLI's flags and bulk's columns.
 */
const definitions = {
  ByNhsNumber: {
    nhsNumber: required("NhsNumber", "nhs_number"),
    dob: required("DateOfBirth", "dob"),
    ...ehrFields
  },
  ByDemographics: {
    forename: required("Text", "forename"),
    surname: required("Text", "surname"),
    dob: required("DateOfBirth", "dob"),
    postcode: required("Postcode", "postcode"),
    ...ehrFields
  }
} as const satisfies Record<"ByNhsNumber" | "ByDemographics", Readonly<Record<string, FieldDefinition>>>

type Definition = Readonly<Record<string, FieldDefinition>>
type Simplify<A> = { [K in keyof A]: A[K] } & {}

/** A validated request of a variant, from its definition. */
type TypeOf<D extends Definition> = Simplify<
  & { readonly [N in keyof D as D[N]["optional"] extends true ? never : N]: KindTypes[D[N]["kind"]] }
  & { readonly [N in keyof D as D[N]["optional"] extends true ? N : never]?: KindTypes[D[N]["kind"]] }
>

/** A variant's snake_case body, from its definition. */
type WireOf<D extends Definition> = Simplify<
  & { readonly [N in keyof D as D[N]["optional"] extends true ? never : D[N]["wire"]]: string }
  & { readonly [N in keyof D as D[N]["optional"] extends true ? D[N]["wire"] : never]?: string }
>

const Text = /* @__PURE__ */ (() =>
  Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(100)).annotations({
    description: readers.Text.expected,
    message: () => ({ message: textMessage, override: true })
  }))()

/** Each kind's schema, built only when a schema is asked for. */
const kindSchema = (kind: Kind): Schema.Schema<any, string> =>
  kind === "NhsNumber"
    ? NhsNumber.NhsNumber
    : kind === "DateOfBirth"
    ? DateOfBirth.DateOfBirth
    : kind === "Postcode"
    ? Postcode.Postcode
    : Text

/** A variant's schema, read off its definition: wire names via `fromKey`, optional fields exact. */
const schemaOf = <D extends Definition>(definition: D): Schema.Schema<TypeOf<D>, WireOf<D>> =>
  Schema.Struct(Object.fromEntries(
    Object.entries(definition).map(([name, field]) => {
      const schema = kindSchema(field.kind).annotations({ description: readers[field.kind].expected })
      const signature = field.optional
        ? Schema.optionalWith(schema, { exact: true })
        : Schema.propertySignature(schema)
      return [name, field.wire === name ? signature : signature.pipe(Schema.fromKey(field.wire))]
    })
  )) as unknown as Schema.Schema<TypeOf<D>, WireOf<D>>

/**
 * A request to trace by NHS number, as a schema (built from the variant's definition, and only when used). Its
 * encoded side is Hero's snake_case body: decoding validates and normalises a body, encoding a validated request
 * gives the body to send.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ByNhsNumber: Schema.Schema<
  TypeOf<typeof definitions.ByNhsNumber>,
  WireOf<typeof definitions.ByNhsNumber>
> = /* @__PURE__ */ (() => schemaOf(definitions.ByNhsNumber))()

/**
 * A request to trace by demographics (snake_case on the wire, like {@link ByNhsNumber}).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ByDemographics: Schema.Schema<
  TypeOf<typeof definitions.ByDemographics>,
  WireOf<typeof definitions.ByDemographics>
> = /* @__PURE__ */ (() => schemaOf(definitions.ByDemographics))()

/** A request as a caller types it: every field text, optional where the definition says so. */
type Typed<T> = { readonly [K in keyof T]: string }

/**
 * Trace by NHS number and date of birth, as typed (`943 476 5919`, `1992-01-01`).
 *
 * @since 0.1.0
 * @category models
 */
export type ByNhsNumberInput = Typed<TypeOf<typeof definitions.ByNhsNumber>>

/**
 * Trace by demographics: forename, surname, date of birth and postcode.
 *
 * @since 0.1.0
 * @category models
 */
export type ByDemographicsInput = Typed<TypeOf<typeof definitions.ByDemographics>>

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
export type Request = TypeOf<typeof definitions.ByNhsNumber> | TypeOf<typeof definitions.ByDemographics>

/**
 * The JSON body Hero expects, in snake_case.
 *
 * @since 0.1.0
 * @category models
 */
export type WireRequest = WireOf<typeof definitions.ByNhsNumber> | WireOf<typeof definitions.ByDemographics>

/**
 * One field of a request, read off its variant's definition: its name in code, its name on the wire, whether it
 * may be left out, and what it must be.
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
 * One problem with one field of a body, as found by {@link Variant.decode}.
 *
 * @since 0.2.0
 * @category models
 */
export interface FieldProblem {
  readonly field: Field
  /** `Missing`: absent (or inherited); `Type`: not text; `Invalid`: text that is not a valid value. */
  readonly kind: "Missing" | "Type" | "Invalid"
  /** What the field must be. Never repeats the value. */
  readonly message: string
}

/**
 * A request variant: its fields, read off its definition.
 *
 * @since 0.1.0
 * @category models
 */
export interface Variant {
  readonly name: "ByNhsNumber" | "ByDemographics"
  readonly fields: ReadonlyArray<Field>
  /** The required fields no other variant has: their presence says this variant is meant. */
  readonly own: ReadonlyArray<Field>
  /**
   * Validates and normalises a snake_case body of this variant, reporting every problem in field order (the same
   * answer as decoding with the variant's schema, `errors: "all"`; other properties are dropped).
   */
  readonly decode: (body: Readonly<Record<string, unknown>>) => Either.Either<Request, ReadonlyArray<FieldProblem>>
}

const hasOwn = (record: object, key: string): boolean => Object.prototype.hasOwnProperty.call(record, key)

const variant = (name: Variant["name"], definition: Definition, other: Definition): Variant => {
  const entries = Object.entries(definition).map(([key, field]) => {
    const described: Field = {
      name: key,
      wire: field.wire,
      optional: field.optional,
      expected: readers[field.kind].expected
    }
    return { field: described, read: readers[field.kind].read }
  })
  const fields = entries.map((entry) => entry.field)
  return {
    name,
    fields,
    own: fields.filter((field) => !field.optional && !(field.name in other)),
    decode: (body) => {
      const request: Record<string, string> = {}
      const problems: Array<FieldProblem> = []
      for (const { field, read } of entries) {
        if (!hasOwn(body, field.wire)) {
          if (!field.optional) problems.push({ field, kind: "Missing", message: "is missing" })
          continue
        }
        const value = body[field.wire]
        const result = read(value)
        if (Either.isRight(result)) request[field.name] = result.right
        else problems.push({ field, kind: typeof value === "string" ? "Invalid" : "Type", message: result.left })
      }
      return problems.length === 0 ? Either.right(request as Request) : Either.left(problems)
    }
  }
}

/**
 * Both variants, each with its fields in order: the source of the wire names, the CLI's and bulk's field names and
 * the sandbox's body check.
 *
 * @since 0.1.0
 */
export const variants: readonly [Variant, Variant] = [
  variant("ByNhsNumber", definitions.ByNhsNumber, definitions.ByDemographics),
  variant("ByDemographics", definitions.ByDemographics, definitions.ByNhsNumber)
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
  const wire: Record<string, unknown> = {}
  for (const field of chosen.fields) if (field.name in record) wire[field.wire] = record[field.name]
  return Either.mapLeft(
    chosen.decode(wire),
    (problems) =>
      new InvalidInput({ issues: problems.map((problem) => ({ path: problem.field.name, message: problem.message })) })
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
    chosen.decode(body as Record<string, unknown>),
    (problems) =>
      problems.map(({ field, kind }): WireIssue =>
        kind === "Invalid"
          ? { code: "invalid_string", expected: field.expected, path: [field.wire] }
          : { code: "invalid_type", expected: "string", path: [field.wire] }
      )
  )
}

/**
 * Encodes a validated request as Hero's JSON body.
 *
 * @since 0.1.0
 * @category encoding
 */
export const toWire = (request: Request): WireRequest => {
  const fields = variants["nhsNumber" in request ? 0 : 1].fields
  const wire: Record<string, string> = {}
  for (const field of fields) {
    const value = (request as Readonly<Record<string, string | undefined>>)[field.name]
    if (value !== undefined) wire[field.wire] = value
  }
  return wire as WireRequest
}

/** `Registered({ "_tag": "Registered", "patientId": "98765" })`, as the schema classes printed it. */
const describe = (value: object & { readonly _tag: string }): string =>
  `${value._tag}({ ${
    [["_tag", value._tag], ...Object.entries(value).filter(([key]) => key !== "_tag")]
      .map(([key, field]) => `${JSON.stringify(key)}: ${JSON.stringify(field)}`)
      .join(", ")
  } })`

/**
 * The patient is registered: keep `patientId` for booking links and messages. A `Data` class (structural equality);
 * its schema, for Effect users, is {@link RegisteredSchema}.
 *
 * @since 0.1.0
 * @category models
 */
export class Registered extends Data.TaggedClass("Registered")<{
  readonly patientId: string
  /** The call's `x-correlation-id`, when it came from `HeroClient`. */
  readonly correlationId?: string | undefined
}> {
  override toString(): string {
    return describe(this)
  }
}

/**
 * Hero could not confirm the patient's identity from PDS alone: send the patient to `loginUrl`. A `Data` class
 * (structural equality); its schema, for Effect users, is {@link VerificationRequiredSchema}.
 *
 * @since 0.1.0
 * @category models
 */
export class VerificationRequired extends Data.TaggedClass("VerificationRequired")<{
  readonly message: string
  readonly loginUrl: string
  /** The call's `x-correlation-id`, when it came from `HeroClient`. */
  readonly correlationId?: string | undefined
}> {
  override toString(): string {
    return describe(this)
  }
}

/**
 * Both successful outcomes of `register_pds`.
 *
 * @since 0.1.0
 * @category models
 */
export type Result = Registered | VerificationRequired

/**
 * `Registered` as a schema (what the class itself was before 0.2.0): `{ _tag: "Registered", patientId,
 * correlationId? }` to and from a `Registered` instance.
 *
 * @since 0.2.0
 * @category schemas
 */
export const RegisteredSchema: Schema.Schema<
  Registered,
  { readonly _tag: "Registered"; readonly patientId: string; readonly correlationId?: string | undefined }
> = /* @__PURE__ */ (() =>
  Schema.transform(
    Schema.TaggedStruct("Registered", {
      patientId: Schema.NonEmptyString,
      correlationId: Schema.optional(Schema.String)
    }),
    Schema.declare((input): input is Registered => input instanceof Registered, { identifier: "Registered" }),
    {
      strict: true,
      decode: ({ _tag, ...fields }) => new Registered(fields),
      encode: (registered) => ({ ...registered, _tag: "Registered" as const })
    }
  ))()

/**
 * `VerificationRequired` as a schema (what the class itself was before 0.2.0): `{ _tag: "VerificationRequired",
 * message, loginUrl, correlationId? }` to and from a `VerificationRequired` instance.
 *
 * @since 0.2.0
 * @category schemas
 */
export const VerificationRequiredSchema: Schema.Schema<
  VerificationRequired,
  {
    readonly _tag: "VerificationRequired"
    readonly message: string
    readonly loginUrl: string
    readonly correlationId?: string | undefined
  }
> = /* @__PURE__ */ (() =>
  Schema.transform(
    Schema.TaggedStruct("VerificationRequired", {
      message: Schema.String,
      loginUrl: Schema.String,
      correlationId: Schema.optional(Schema.String)
    }),
    Schema.declare((input): input is VerificationRequired => input instanceof VerificationRequired, {
      identifier: "VerificationRequired"
    }),
    {
      strict: true,
      decode: ({ _tag, ...fields }) => new VerificationRequired(fields),
      encode: (verification) => ({ ...verification, _tag: "VerificationRequired" as const })
    }
  ))()

/**
 * The same result, carrying the correlation id of the call that got it.
 *
 * @since 0.2.0
 * @category constructors
 */
export const withCorrelationId = (result: Result, correlationId: string): Result =>
  result._tag === "Registered"
    ? new Registered({ patientId: result.patientId, correlationId })
    : new VerificationRequired({ message: result.message, loginUrl: result.loginUrl, correlationId })

const isHttpsUrl = (input: string): boolean => {
  try {
    return new URL(input).protocol === "https:"
  } catch {
    return false
  }
}

/**
 * A 2xx body's result read by hand (the client's path), the same answer as {@link decodeResult} (a property test
 * holds the two equal): a `patient_id` that is non-empty trimmed text or a non-negative whole number, else a
 * `message` with an `https:` `login_url`.
 *
 * @since 0.2.0
 * @category decoding
 */
export const readResult = (body: unknown, correlationId?: string): Result | undefined => {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined
  const { login_url, message, patient_id: id } = body as {
    readonly patient_id?: unknown
    readonly message?: unknown
    readonly login_url?: unknown
  }
  if (typeof id === "string" ? id !== "" && id.trim() === id : Number.isSafeInteger(id) && (id as number) >= 0) {
    return new Registered(
      correlationId === undefined ? { patientId: String(id) } : { patientId: String(id), correlationId }
    )
  }
  if (typeof message === "string" && typeof login_url === "string" && isHttpsUrl(login_url)) {
    return new VerificationRequired(
      correlationId === undefined
        ? { message, loginUrl: login_url }
        : { message, loginUrl: login_url, correlationId }
    )
  }
  return undefined
}

/**
 * `{"patient_id": "98765"}` (a number is accepted and made a string) as `Registered`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegisteredFromWire: Schema.Schema<
  Registered,
  { readonly patient_id: string | number }
> = /* @__PURE__ */ (() =>
  Schema.transform(
    Schema.Struct({ patient_id: Schema.Union(Schema.NonEmptyTrimmedString, Schema.NonNegativeInt) }),
    Schema.typeSchema(RegisteredSchema),
    {
      strict: true,
      decode: (wire) => new Registered({ patientId: String(wire.patient_id) }),
      encode: (registered) => ({ patient_id: registered.patientId })
    }
  ))()

/**
 * `{"message": ..., "login_url": ...}` as `VerificationRequired` (the link must be `https:`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const VerificationRequiredFromWire: Schema.Schema<
  VerificationRequired,
  { readonly message: string; readonly login_url: string }
> = /* @__PURE__ */ (() =>
  Schema.transform(
    Schema.Struct({ message: Schema.String, login_url: Schema.String.pipe(Schema.filter(isHttpsUrl)) }),
    Schema.typeSchema(VerificationRequiredSchema),
    {
      strict: true,
      decode: (wire) => new VerificationRequired({ message: wire.message, loginUrl: wire.login_url }),
      encode: (verification) => ({ message: verification.message, login_url: verification.loginUrl })
    }
  ))()

/**
 * A 2xx body as either result.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResultFromWire: Schema.Schema<
  Result,
  { readonly patient_id: string | number } | { readonly message: string; readonly login_url: string }
> = /* @__PURE__ */ (() => Schema.Union(RegisteredFromWire, VerificationRequiredFromWire))()

let resultDecoder: ((body: unknown) => Either.Either<Result, ParseResult.ParseError>) | undefined

/**
 * Decodes a parsed 2xx body with {@link ResultFromWire}; a `Left` when it matches neither result. (`HeroClient`
 * reads bodies with {@link readResult}, which gives the same answer without the schema.)
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeResult = (body: unknown): Either.Either<Result, ParseResult.ParseError> =>
  (resultDecoder ??= Schema.decodeUnknownEither(ResultFromWire))(body)
