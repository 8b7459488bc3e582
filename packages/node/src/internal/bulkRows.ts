import * as DateOfBirth from "@hero-pds/core/DateOfBirth"
import type * as HeroError from "@hero-pds/core/HeroError"
import * as RegisterPds from "@hero-pds/core/RegisterPds"
import * as Either from "effect/Either"

/** The output's columns, as DESIGN.md fixes them. */
export const outputHeader = [
  "row",
  "nhs_number",
  "dob",
  "outcome",
  "patient_id",
  "login_url",
  "error",
  "status"
] as const

/** Where each input column is (an index into the record), by its normalised header name. */
export interface Columns {
  readonly nhsNumber: number | undefined
  readonly dob: number
  readonly forename: number | undefined
  readonly surname: number | undefined
  readonly postcode: number | undefined
  readonly ehrPartner: number | undefined
  readonly ehrPartnerId: number | undefined
  /** Whether the demographic columns (forename, surname, postcode) are all there. */
  readonly demographic: boolean
}

/** `NHS Number`, ` nhs-number ` and `nhs_number` are the same column. */
export const normalizeHeader = (name: string): string => name.trim().toLowerCase().replace(/[\s-]+/g, "_")

/** The columns of a header row, or undefined when it names neither accepted set. */
export const columnsOf = (header: ReadonlyArray<string>): Columns | undefined => {
  const names = header.map(normalizeHeader)
  const find = (name: string) => {
    const index = names.indexOf(name)
    return index === -1 ? undefined : index
  }
  const dob = find("dob")
  const nhsNumber = find("nhs_number")
  const forename = find("forename")
  const surname = find("surname")
  const postcode = find("postcode")
  const demographic = forename !== undefined && surname !== undefined && postcode !== undefined
  if (dob === undefined || (nhsNumber === undefined && !demographic)) return undefined
  return {
    nhsNumber,
    dob,
    forename,
    surname,
    postcode,
    ehrPartner: find("ehr_partner"),
    ehrPartnerId: find("ehr_partner_id"),
    demographic
  }
}

/** A record with nothing but empty or blank fields (e.g. `,,,` from a spreadsheet) is not a data row. */
export const isBlank = (fields: ReadonlyArray<string>): boolean => fields.every((field) => field.trim() === "")

/** One data row, validated locally: what to send (or why not), and its `nhs_number` and `dob` output columns. */
export interface Prepared {
  readonly row: number
  readonly nhsNumber: string
  readonly dob: string
  readonly request: Either.Either<RegisterPds.Request, HeroError.InvalidInput>
}

const at = (fields: ReadonlyArray<string>, index: number | undefined) =>
  index === undefined ? "" : (fields[index] ?? "").trim()

/**
 * Validates a data row. A row with an NHS number (or in a file without the demographic columns) is traced by
 * NHS number; otherwise by demographics. Dates of birth may be ISO or UK (`22/10/2010`). The output columns hold
 * the normalised values when the row is valid (10 digits, ISO date), else the text as given (trimmed) so the
 * row can be found and fixed; `nhs_number` is empty for a demographic row.
 */
export const prepare = (columns: Columns, row: number, fields: ReadonlyArray<string>): Prepared => {
  const nhsText = at(fields, columns.nhsNumber)
  const dobText = at(fields, columns.dob)
  const dob = Either.getOrElse(DateOfBirth.parse(dobText), () => dobText)
  const ehrPartner = at(fields, columns.ehrPartner)
  const ehrPartnerId = at(fields, columns.ehrPartnerId)
  const ehr = {
    ...(ehrPartner === "" ? {} : { ehrPartner }),
    ...(ehrPartnerId === "" ? {} : { ehrPartnerId })
  }
  const byNhsNumber = nhsText !== "" || !columns.demographic
  const request = RegisterPds.decodeInput(
    byNhsNumber
      ? { nhsNumber: nhsText, dob, ...ehr }
      : {
        forename: at(fields, columns.forename),
        surname: at(fields, columns.surname),
        postcode: at(fields, columns.postcode),
        dob,
        ...ehr
      }
  )
  return Either.match(request, {
    onLeft: () => ({ row, nhsNumber: byNhsNumber ? nhsText : "", dob: dobText, request }),
    onRight: (valid) => ({ row, nhsNumber: "nhsNumber" in valid ? valid.nhsNumber : "", dob: valid.dob, request })
  })
}

/** FNV-1a over a row's identifying output columns: enough to notice that a resumed input is another file. */
export const fingerprint = (nhsNumber: string, dob: string): number => {
  const text = `${nhsNumber}\u001f${dob}`
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  return hash >>> 0
}

/** Outcomes written in the `outcome` column. */
export const outcomes = ["registered", "verification_required", "error"] as const
