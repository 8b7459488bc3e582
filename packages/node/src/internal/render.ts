import type * as Outcome from "@hero-pds/core/Outcome"

/** What a person reads: results on stdout, errors on stderr. */
export const render = (outcome: Outcome.Outcome): { readonly stdout?: string; readonly stderr?: string } => {
  switch (outcome.outcome) {
    case "registered":
      return { stdout: `Registered: patient_id ${outcome.patientId}` }
    case "verification_required":
      return {
        stdout: `Verification required: ${outcome.message}\nSend the patient this link to verify: ${outcome.loginUrl}`
      }
    case "error":
      return { stderr: `Error (${outcome.error}): ${outcome.message}` }
  }
}
