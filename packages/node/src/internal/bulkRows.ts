/** What bulk reads from an input row and writes for it: the header's columns, a row's request, its output row. */
import * as DateOfBirth from "@hero-pds/core/DateOfBirth"
import * as HeroError from "@hero-pds/core/HeroError"
import * as Outcome from "@hero-pds/core/Outcome"
import * as RegisterPds from "@hero-pds/core/RegisterPds"
import * as Either from "effect/Either"
import { createHash } from "node:crypto"

/** The output's first columns, as DESIGN.md fixes them; the input's other columns follow. */
export const contractColumns = [
  "row",
  "nhs_number",
  "dob",
  "outcome",
  "patient_id",
  "login_url",
  "error",
  "status"
] as const

/** Every request field, by its name in code (`nhsNumber`), from the request schemas. */
const fields: ReadonlyArray<RegisterPds.Field> = RegisterPds.variants.flatMap((variant) => variant.fields).filter((
  field,
  index,
  all
) => all.findIndex((other) => other.name === field.name) === index)

/** The fields every variant has (the date of birth): they say nothing of which variant a row is. */
const shared: ReadonlySet<string> = new Set(
  fields.filter((field) => RegisterPds.variants.every((variant) => variant.fields.some((_) => _.name === field.name)))
    .map((field) => field.name)
)

/** A header name as compared: case, spaces and punctuation ignored (`NHS No.` is `nhsno`). */
export const headerKey = (name: string): string => name.normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "")

/** The names people give each field's column besides its own and its wire name. */
const synonyms: { readonly [name: string]: ReadonlyArray<string> } = {
  nhsNumber: ["NHS No", "NHS Num", "NHS"],
  dob: ["Date of birth", "Birth date", "Birthdate"],
  forename: ["First name", "Given name", "Forenames", "First names", "Given names"],
  surname: ["Last name", "Family name"],
  postcode: ["Post code", "Postal code"]
}

const fieldByKey: ReadonlyMap<string, string> = new Map(
  fields.flatMap((field) =>
    [field.name, field.wire, ...(synonyms[field.name] ?? [])].map((name) => [headerKey(name), field.name] as const)
  )
)

/** Where each request field is in a record (by field name), and the columns that name no field. */
export interface Columns {
  readonly header: ReadonlyArray<string>
  readonly fields: ReadonlyMap<string, number>
  /** The variants this header can send, in the order rows choose them. */
  readonly variants: ReadonlyArray<RegisterPds.Variant>
  /** Indexes of the columns carried through unchanged: every column but those of `nhs_number` and `dob`. */
  readonly carried: ReadonlyArray<number>
}

/** Why a header cannot be used, in words that name columns (never data). */
export type HeaderProblem =
  | { readonly _tag: "Ambiguous"; readonly field: string; readonly first: string; readonly second: string }
  | { readonly _tag: "Missing" }

/** The columns of a header row. */
export const columnsOf = (header: ReadonlyArray<string>): Either.Either<Columns, HeaderProblem> => {
  const found = new Map<string, number>()
  for (let index = 0; index < header.length; index++) {
    const field = fieldByKey.get(headerKey(header[index]!))
    if (field === undefined) continue
    const first = found.get(field)
    if (first !== undefined) {
      return Either.left({ _tag: "Ambiguous", field, first: header[first]!, second: header[index]! })
    }
    found.set(field, index)
  }
  const variants = RegisterPds.variants.filter((variant) =>
    variant.fields.every((field) => field.optional || found.has(field.name))
  )
  if (variants.length === 0) return Either.left({ _tag: "Missing" })
  const contract = new Set([found.get("nhsNumber"), found.get("dob")])
  return Either.right({
    header,
    fields: found,
    variants,
    carried: header.map((_, index) => index).filter((index) => !contract.has(index))
  })
}

/** The output header for an input header: the contract's columns, then the carried ones (renamed if they clash). */
export const outputHeader = (columns: Columns): Array<string> => [
  ...contractColumns,
  ...columns.carried.map((index) => {
    const name = columns.header[index]!
    return (contractColumns as ReadonlyArray<string>).includes(name) ? `input ${name}` : name
  })
]

/** One data row, validated locally: what to send (or why not), and its output columns before the outcome. */
export interface Prepared {
  /** The input's data-row number (1 for the row after the header; blank rows count). */
  readonly row: number
  readonly nhsNumber: string
  readonly dob: string
  readonly carried: ReadonlyArray<string>
  readonly request: Either.Either<RegisterPds.Request, HeroError.InvalidInput>
}

// eslint-disable-next-line no-control-regex
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/

const textOf = (fields: ReadonlyArray<string>, index: number | undefined) =>
  index === undefined ? "" : (fields[index] ?? "").trim().normalize("NFC")

/**
 * Validates a data row. It is sent as the first variant its header allows whose own fields have text in the row
 * (by NHS number when the row has one), else as the header's first variant. Dates of birth are read day first
 * (`22/10/2010`). The output columns hold the normalised values when the row is valid (10 digits, ISO date), else
 * the text as given (trimmed) so the row can be found and fixed; `nhs_number` is empty when not sent.
 */
export const prepare = (columns: Columns, row: number, record: ReadonlyArray<string>): Prepared => {
  const text = (name: string) => textOf(record, columns.fields.get(name))
  const variant =
    columns.variants.find((candidate) =>
      candidate.fields.some((field) => !field.optional && !shared.has(field.name) && text(field.name) !== "")
    ) ?? columns.variants[0]!
  const values = variant.fields.map((field) => [field.name, text(field.name)] as const)
  const input = Object.fromEntries(values.filter(([name, value]) => value !== "" || !isOptional(variant, name)))
  const dobText = text("dob")
  const nhsText = "nhsNumber" in input ? text("nhsNumber") : ""
  const carried = columns.carried.map((index) => record[index] ?? "")
  const controls = values.filter(([, value]) => controlCharacter.test(value))
  const request = controls.length > 0
    ? Either.left(
      new HeroError.InvalidInput({
        issues: controls.map(([path]) => ({ path, message: "must not contain control characters" }))
      })
    )
    : RegisterPds.decodeInput({ ...input, dob: Either.getOrElse(DateOfBirth.parse(dobText), () => dobText) })
  return Either.match(request, {
    onLeft: () => ({ row, nhsNumber: nhsText, dob: dobText, carried, request }),
    onRight: (valid) => ({
      row,
      nhsNumber: "nhsNumber" in valid ? valid.nhsNumber : "",
      dob: valid.dob,
      carried,
      request
    })
  })
}

const isOptional = (variant: RegisterPds.Variant, name: string) =>
  variant.fields.some((field) => field.name === name && field.optional)

/** Whether a row's date of birth can only be read month first (`12/25/1990`): a US-dated file. */
export const isMonthFirst = (columns: Columns, record: ReadonlyArray<string>): boolean =>
  Either.match(DateOfBirth.parse(textOf(record, columns.fields.get("dob"))), {
    onLeft: (message) => message === DateOfBirth.monthFirstMessage,
    onRight: () => false
  })

/** A `patient_id` bulk writes: a plain identifier, never text a spreadsheet could act on. */
const plainIdentifier = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

/** A result whose `patient_id` is not a plain identifier is refused as `UnexpectedResponse`. */
export const checkResult = (
  result: Either.Either<RegisterPds.Result, HeroError.HeroError>
): Either.Either<RegisterPds.Result, HeroError.HeroError> =>
  Either.isRight(result) && result.right._tag === "Registered" && !plainIdentifier.test(result.right.patientId)
    ? Either.left(
      new HeroError.UnexpectedResponse({
        status: 200,
        attempts: 1,
        reason: "the patient_id is not a plain identifier",
        correlationId: result.right.correlationId
      })
    )
    : result

/** The output row of a prepared row and its outcome (cells made safe when formatted). */
export const outputRow = (prepared: Prepared, outcome: Outcome.Outcome): Array<string> => {
  const base = [String(prepared.row), prepared.nhsNumber, prepared.dob]
  const rest = outcome.outcome === "registered"
    ? ["registered", outcome.patientId, "", "", ""]
    : outcome.outcome === "verification_required"
    ? ["verification_required", "", outcome.loginUrl, "", ""]
    : ["error", "", "", outcome.error, outcome.status === undefined ? "" : String(outcome.status)]
  return [...base, ...rest, ...prepared.carried]
}

/** A short hash of a row's identifying output cells: enough to notice that a resumed input is another file. */
export const fingerprint = (nhsNumber: string, dob: string): number =>
  createHash("sha1").update(`${nhsNumber}\u001f${dob}`).digest().readUInt32LE(0)

/** The outcomes written in the `outcome` column. */
export const outcomes: ReadonlySet<string> = new Set<Outcome.Outcome["outcome"]>([
  "registered",
  "verification_required",
  "error"
])

/** Whether an output row's `error` cell names a temporary failure (what `--retry-errors` sends again). */
export const isTemporaryTag = (tag: string): boolean =>
  tag in Outcome.decisions && Outcome.decisions[tag as HeroError.Tag].temporary
