import type * as HeroConfig from "@hero-pds/core/HeroConfig"
import type * as HeroError from "@hero-pds/core/HeroError"
import type * as RegisterPds from "@hero-pds/core/RegisterPds"

/** One registration's outcome as the CLI prints it with `--json` (and `bulk` writes it). */
export type Outcome =
  | { readonly outcome: "registered"; readonly patientId: string }
  | { readonly outcome: "verification_required"; readonly message: string; readonly loginUrl: string }
  | { readonly outcome: "error"; readonly error: string; readonly status?: number; readonly message: string }

export const fromResult = (result: RegisterPds.Result): Outcome =>
  result._tag === "Registered"
    ? { outcome: "registered", patientId: result.patientId }
    : { outcome: "verification_required", message: result.message, loginUrl: result.loginUrl }

export const fromError = (error: HeroError.HeroError | HeroConfig.HeroConfigError): Outcome => ({
  outcome: "error",
  error: error._tag,
  ...("status" in error ? { status: error.status } : {}),
  message: error.message
})

/** The exit code of each outcome, as DESIGN.md's CLI section fixes them. */
export const exitCodes = {
  registered: 0,
  usage: 2,
  verification_required: 3,
  InvalidInput: 2,
  BadRequest: 2,
  HeroConfigError: 2,
  PatientNotFound: 4,
  Unauthorized: 5,
  Forbidden: 5,
  RateLimited: 6,
  ServerError: 7,
  TransportError: 7,
  UnexpectedResponse: 8
} as const

export const exitCodeOf = (outcome: Outcome): number =>
  outcome.outcome === "error"
    ? exitCodes[outcome.error as keyof typeof exitCodes] ?? 1
    : exitCodes[outcome.outcome]

/** What a person reads: results on stdout, errors on stderr. */
export const render = (outcome: Outcome): { readonly stdout?: string; readonly stderr?: string } => {
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
