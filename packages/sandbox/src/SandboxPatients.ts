/**
 * The synthetic patients the sandbox knows. Every NHS number is in the 9xx test range, which the NHS
 * never issues to real people, and carries a valid Modulus 11 check digit.
 *
 * @since 0.1.0
 */
import * as NhsNumber from "@hero-pds/core/NhsNumber"

/**
 * A synthetic patient on the sandbox's pretend Spine.
 *
 * @since 0.1.0
 * @category models
 */
export interface Patient {
  /** Ten digits (spaces and hyphens are ignored). */
  readonly nhsNumber: string
  readonly forename: string
  readonly surname: string
  /** ISO `YYYY-MM-DD`. */
  readonly dob: string
  /** Any spelling of a UK postcode; matched in its normal form (`LS1 6AE`). */
  readonly postcode: string
  /**
   * Hero's id for the patient, answered as `patient_id` (a number is sent as a JSON number).
   * When left out, a stable id is derived from the NHS number.
   */
  readonly patientId?: string | number | undefined
  /** When set, the patient must verify their identity at this `https:` link before registering. */
  readonly loginUrl?: string | undefined
}

/**
 * `900 000 0009` Jane Smith, born 2010-10-22: registered as `"98765"`.
 *
 * @since 0.1.0
 * @category patients
 */
export const janeSmith: Patient = {
  nhsNumber: "9000000009",
  forename: "Jane",
  surname: "Smith",
  dob: "2010-10-22",
  postcode: "LS1 6AE",
  patientId: "98765"
}

/**
 * `943 476 5919` Amir Khan, born 1992-01-01 (the number and date used in the docs' examples): registered.
 *
 * @since 0.1.0
 * @category patients
 */
export const amirKhan: Patient = {
  nhsNumber: "9434765919",
  forename: "Amir",
  surname: "Khan",
  dob: "1992-01-01",
  postcode: "M1 1AE",
  patientId: "104729"
}

/**
 * `900 000 0017` Olivia Brown: Hero cannot confirm her identity from PDS alone, so she must verify it.
 *
 * @since 0.1.0
 * @category patients
 */
export const oliviaBrown: Patient = {
  nhsNumber: "9000000017",
  forename: "Olivia",
  surname: "Brown",
  dob: "1985-03-14",
  postcode: "B1 1BB",
  loginUrl: "https://patient.sandbox.hero-pds.test/verify/olivia-brown-7f3a9c"
}

/**
 * `900 000 0025` another Jane Smith, born 1985-07-09 in London: a namesake of {@link janeSmith},
 * told apart by date of birth and postcode in a demographic search.
 *
 * @since 0.1.0
 * @category patients
 */
export const janeSmithLondon: Patient = {
  nhsNumber: "9000000025",
  forename: "Jane",
  surname: "Smith",
  dob: "1985-07-09",
  postcode: "SW1A 1AA",
  patientId: "131071"
}

/**
 * `900 000 0033` Noah Williams: registered, with `patient_id` sent as the JSON number `424242`.
 *
 * @since 0.1.0
 * @category patients
 */
export const noahWilliams: Patient = {
  nhsNumber: "9000000033",
  forename: "Noah",
  surname: "Williams",
  dob: "1978-12-01",
  postcode: "CF10 1EP",
  patientId: 424242
}

/**
 * `900 000 0041` Margaret Evans, born 1931-05-30: registered.
 *
 * @since 0.1.0
 * @category patients
 */
export const margaretEvans: Patient = {
  nhsNumber: "9000000041",
  forename: "Margaret",
  surname: "Evans",
  dob: "1931-05-30",
  postcode: "EH1 1YZ",
  patientId: "271828"
}

/**
 * The default patients, in the order of the README table.
 *
 * @since 0.1.0
 * @category patients
 */
export const all: ReadonlyArray<Patient> = [
  janeSmith,
  amirKhan,
  oliviaBrown,
  janeSmithLondon,
  noahWilliams,
  margaretEvans
]

/**
 * A valid NHS number that no default patient has: register_pds answers 404 for it.
 *
 * @since 0.1.0
 */
export const unknownNhsNumber = "9990000018"

/** FNV-1a, 32 bits: a small, stable hash. */
const fnv1a = (input: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < input.length; i++) {
    hash = Math.imul(hash ^ input.charCodeAt(i), 0x01000193)
  }
  return hash >>> 0
}

/**
 * The `patient_id` answered for a patient: its own, or one derived from its NHS number (FNV-1a as
 * decimal digits), so the same patient always gets the same id.
 *
 * @since 0.1.0
 */
export const patientIdOf = (patient: Patient): string | number =>
  patient.patientId ?? String(fnv1a(NhsNumber.normalize(patient.nhsNumber)))

/**
 * `count` synthetic patients for load and bulk tests: valid NHS numbers in the 97x test range (from the
 * `from`-th candidate on, so separate calls can be kept apart), varied dates of birth, no fixed patient id.
 * Pass them as `Options.patients`.
 *
 * @since 0.1.0
 */
export const synthetic = (count: number, from = 0): Array<Patient> => {
  const patients: Array<Patient> = []
  for (let i = from; patients.length < count; i++) {
    const stem = `97${String(i).padStart(7, "0")}`
    const check = NhsNumber.checkDigitOf(stem)
    if (check === undefined) continue
    const month = String(1 + (i % 12)).padStart(2, "0")
    const day = String(1 + (i % 28)).padStart(2, "0")
    patients.push({
      nhsNumber: `${stem}${check}`,
      forename: `Forename${i}`,
      surname: `Surname${i}`,
      dob: `${1940 + (i % 70)}-${month}-${day}`,
      postcode: "LS1 6AE"
    })
  }
  return patients
}
