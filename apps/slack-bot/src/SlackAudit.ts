/**
 * The audit trail: one JSON event per registration attempt (`"event":"registration"`), answering "who looked up
 * this patient, when, from where, for which practice, and what came of it?" without holding an NHS number or a
 * date of birth. The patient is identified by `nhsNumberHash`, the hex HMAC-SHA256 of the 10-digit NHS number
 * under `AUDIT_HASH_KEY`: an investigator holding the key hashes the number in question and searches for it.
 *
 * @since 0.1.0
 */
import type * as NhsNumber from "@hero-pds/core/NhsNumber"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as SlackSignature from "./SlackSignature.js"

/**
 * One audit event. `time` (UTC, ISO 8601) is added by the logger.
 *
 * @since 0.1.0
 * @category models
 */
export interface Event {
  readonly team: string
  readonly user: string
  readonly channel: string
  /** The practice group the command reached (absent when refused before one was chosen). */
  readonly practiceGroupId?: string | undefined
  /** The reference shown to staff. */
  readonly reference: string
  /** The Hero call's correlation id (`x-correlation-id`). */
  readonly correlationId?: string | undefined
  /** Hero's `x-request-id`, as validated by core. */
  readonly heroRequestId?: string | undefined
  /** `Registered`, `VerificationRequired`, a `HeroError` tag, `DeadlineExceeded`, `Stopped`, `Busy`, `Denied`, ... */
  readonly outcome: string
  /** Hero's `patient_id` when registered (restricted to safe characters). */
  readonly patient_id?: string | undefined
  readonly durationMs: number
  /** `*** *** 5919` */
  readonly nhsNumber?: string | undefined
  /** Hex HMAC-SHA256 of the 10-digit NHS number under `AUDIT_HASH_KEY`. */
  readonly nhsNumberHash?: string | undefined
  readonly [detail: string]: unknown
}

/**
 * Hashes NHS numbers for the audit.
 *
 * @since 0.1.0
 * @category models
 */
export type Hasher = (nhsNumber: NhsNumber.NhsNumber) => Effect.Effect<string>

const encoder = new TextEncoder()

/**
 * The hasher under a key: hex HMAC-SHA256 of the 10 digits.
 *
 * @since 0.1.0
 * @category constructors
 */
export const hasher = (key: Redacted.Redacted<string>): Effect.Effect<Hasher> =>
  Effect.map(
    SlackSignature.hmac(key),
    (mac): Hasher => (nhsNumber) => Effect.map(mac(encoder.encode(nhsNumber)), SlackSignature.toHex)
  )

/**
 * Writes an audit event (an INFO log line with `event: "registration"`).
 *
 * @since 0.1.0
 */
export const record = (event: Event): Effect.Effect<void> =>
  Effect.annotateLogs(Effect.logInfo("registration"), { event: "registration", ...event })
