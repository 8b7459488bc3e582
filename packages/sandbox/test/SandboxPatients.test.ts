import { assert, describe, it } from "@effect/vitest"
import * as DateOfBirth from "@hero-pds/core/DateOfBirth"
import * as NhsNumber from "@hero-pds/core/NhsNumber"
import * as Postcode from "@hero-pds/core/Postcode"
import { readFileSync } from "node:fs"
import * as SandboxPatients from "../src/SandboxPatients.js"

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")

/** A patient's row in the README table. */
const row = (patient: SandboxPatients.Patient) =>
  [
    NhsNumber.format(patient.nhsNumber as NhsNumber.NhsNumber),
    `${patient.forename} ${patient.surname}`,
    patient.dob,
    patient.postcode,
    patient.loginUrl === undefined ? "Registered" : "VerificationRequired",
    patient.loginUrl === undefined ? `\`${JSON.stringify(SandboxPatients.patientIdOf(patient))}\`` : "—"
  ].join(" | ")

describe("SandboxPatients", () => {
  it("are all in the 9xx test range with valid check digits and normal postcodes", () => {
    for (const patient of SandboxPatients.all) {
      assert.match(patient.nhsNumber, /^9\d{9}$/)
      assert.isTrue(NhsNumber.hasValidCheckDigit(patient.nhsNumber), patient.nhsNumber)
      assert.strictEqual(Postcode.normalize(patient.postcode), patient.postcode)
    }
    assert.isTrue(NhsNumber.hasValidCheckDigit(SandboxPatients.unknownNhsNumber))
    assert.notInclude(SandboxPatients.all.map((patient) => patient.nhsNumber), SandboxPatients.unknownNhsNumber)
  })

  it("have distinct NHS numbers and patient ids, and https login links", () => {
    const ids = SandboxPatients.all.map(SandboxPatients.patientIdOf)
    assert.strictEqual(new Set(ids).size, ids.length)
    assert.strictEqual(new Set(SandboxPatients.all.map((patient) => patient.nhsNumber)).size, ids.length)
    const links = SandboxPatients.all.flatMap((patient) => patient.loginUrl === undefined ? [] : [patient.loginUrl])
    assert.isNotEmpty(links)
    for (const link of links) assert.strictEqual(new URL(link).protocol, "https:")
  })

  it("derive a stable id from the NHS number when none is given", () => {
    const patient = { nhsNumber: "999-000-0026", forename: "A", surname: "B", dob: "2000-01-01", postcode: "LS1 1AA" }
    const id = SandboxPatients.patientIdOf(patient)
    assert.match(String(id), /^\d+$/)
    assert.strictEqual(SandboxPatients.patientIdOf({ ...patient, nhsNumber: "9990000026" }), id)
    assert.notStrictEqual(SandboxPatients.patientIdOf({ ...patient, nhsNumber: "9990000034" }), id)
  })

  it("are the ones in the README table", () => {
    const tableRows = readme.split("\n").filter((line) => /^\| \d{3} \d{3} \d{4} \|/.test(line))
    assert.deepStrictEqual(tableRows, SandboxPatients.all.map((patient) => `| ${row(patient)} |`))
  })
})

describe("SandboxPatients.synthetic", () => {
  it("makes distinct patients with valid NHS numbers and real dates of birth, apart by `from`", () => {
    const first = SandboxPatients.synthetic(50)
    const later = SandboxPatients.synthetic(50, 1_000)
    assert.strictEqual(first.length, 50)
    const numbers = new Set([...first, ...later].map((patient) => patient.nhsNumber))
    assert.strictEqual(numbers.size, 100)
    for (const patient of [...first, ...later]) {
      assert.isTrue(NhsNumber.hasValidCheckDigit(patient.nhsNumber))
      assert.isTrue(DateOfBirth.isValid(patient.dob))
    }
  })
})
