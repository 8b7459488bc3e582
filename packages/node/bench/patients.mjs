// Synthetic patients for the bulk benchmarks: valid Modulus 11 NHS numbers in the 9xx test range.
export const syntheticPatients = (n, from = 0) => {
  const patients = []
  for (let i = from; patients.length < n; i++) {
    const stem = `97${String(i).padStart(7, "0")}`
    const sum = [...stem].reduce((total, digit, index) => total + Number(digit) * (10 - index), 0)
    const check = (11 - (sum % 11)) % 11
    if (check === 10) continue
    const month = String(1 + (i % 12)).padStart(2, "0")
    const day = String(1 + (i % 28)).padStart(2, "0")
    patients.push({
      nhsNumber: stem + check,
      forename: `Forename${i}`,
      surname: `Surname${i}`,
      dob: `${1940 + (i % 70)}-${month}-${day}`,
      postcode: "LS1 6AE"
    })
  }
  return patients
}

/** A CSV of `rows` rows cycling through `patients`. */
export const csvFor = (patients, rows) => {
  let text = "nhs_number,dob\r\n"
  for (let i = 0; i < rows; i++) {
    const patient = patients[i % patients.length]
    text += `${patient.nhsNumber},${patient.dob}\r\n`
  }
  return text
}
