// Synthetic patients for the bulk benchmarks come from the sandbox (valid NHS numbers in the 97x test range).
export { synthetic as syntheticPatients } from "@hero-pds/sandbox/SandboxPatients"

/** A CSV of `rows` rows cycling through `patients`. */
export const csvFor = (patients, rows) => {
  let text = "nhs_number,dob\r\n"
  for (let i = 0; i < rows; i++) {
    const patient = patients[i % patients.length]
    text += `${patient.nhsNumber},${patient.dob}\r\n`
  }
  return text
}
