/**
 * The messages the app sends back to Slack, in Block Kit. Every one is ephemeral (only the person who typed
 * the command sees it), every notification `text` carries at most the masked NHS number, and every one passes
 * through one place that keeps it within Block Kit's limits (values from Hero are cut there, never refused by
 * Slack). Text from outside the app is escaped for mrkdwn.
 *
 * @since 0.1.0
 */
import type * as HeroError from "@hero-pds/core/HeroError"
import type * as RegisterPds from "@hero-pds/core/RegisterPds"
import * as BlockKit from "./internal/blockKit.js"
import * as SlackCommand from "./SlackCommand.js"

/**
 * A Block Kit block (the subset this app uses).
 *
 * @since 0.1.0
 * @category models
 */
export type Block =
  | { readonly type: "header"; readonly text: PlainText }
  | { readonly type: "section"; readonly text: Markdown }
  | { readonly type: "section"; readonly fields: ReadonlyArray<Markdown> }
  | { readonly type: "context"; readonly elements: ReadonlyArray<Markdown> }
  | { readonly type: "actions"; readonly elements: ReadonlyArray<LinkButton> }

/**
 * Plain text, as in headers and buttons.
 *
 * @since 0.1.0
 * @category models
 */
export interface PlainText {
  readonly type: "plain_text"
  readonly text: string
  readonly emoji?: boolean
}

/**
 * Slack mrkdwn text.
 *
 * @since 0.1.0
 * @category models
 */
export interface Markdown {
  readonly type: "mrkdwn"
  readonly text: string
}

/**
 * A button that opens a URL (Slack still sends a `block_actions` payload for it, acknowledged by the app).
 * Never styled `primary`: the only link button is the patient's, not the receptionist's action.
 *
 * @since 0.1.0
 * @category models
 */
export interface LinkButton {
  readonly type: "button"
  readonly text: PlainText
  readonly url: string
  readonly action_id: string
}

/**
 * A message for the HTTP answer or for `response_url`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Message {
  readonly response_type: "ephemeral"
  readonly replace_original?: boolean
  /** The notification text: never more than the masked NHS number. */
  readonly text: string
  readonly blocks: ReadonlyArray<Block>
}

/**
 * The `action_id` of the verification link button.
 *
 * @since 0.1.0
 */
export const verificationLinkActionId = "open_verification_link"

const plain = (text: string): PlainText => ({ type: "plain_text", text, emoji: true })
const md = (text: string): Markdown => ({ type: "mrkdwn", text })
const header = (text: string): Block => ({ type: "header", text: plain(text) })
const section = (text: string): Block => ({ type: "section", text: md(text) })
const context = (...texts: ReadonlyArray<string>): Block => ({ type: "context", elements: texts.map(md) })

/**
 * Escapes the three characters Slack's mrkdwn treats as control characters (`&`, `<`, `>`).
 *
 * @since 0.1.0
 */
export const escape = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

const ephemeral = (text: string, blocks: ReadonlyArray<Block>): Message =>
  BlockKit.fit({ response_type: "ephemeral", text, blocks })

const followUp = (text: string, blocks: ReadonlyArray<Block>): Message =>
  BlockKit.fit({ response_type: "ephemeral", replace_original: true, text, blocks })

const reference = (ref: string) => `Reference \`${ref}\` (quote it if you contact support)`

/**
 * The characters and length a patient id may have to be shown as it is.
 *
 * @since 0.1.0
 */
export const safePatientId = /^[A-Za-z0-9._:-]{1,64}$/

/**
 * A patient id as it can be shown in a code span: exactly when it is made of safe characters and short enough,
 * else with unsafe characters replaced by `?` and cut to 64 characters (and `exact: false`).
 *
 * @since 0.1.0
 */
export const showPatientId = (patientId: string): { readonly text: string; readonly exact: boolean } =>
  safePatientId.test(patientId)
    ? { text: patientId, exact: true }
    : { text: BlockKit.truncate(patientId.replace(/[^A-Za-z0-9._:-]/g, "?"), 64) || "?", exact: false }

/**
 * How to use the command.
 *
 * @since 0.1.0
 */
export const usage: Message = ephemeral(`How to use ${SlackCommand.name}`, [
  section(
    `*${SlackCommand.name}* registers a patient with Hero by tracing them on PDS.\n` +
      `Type the NHS number, then the date of birth:\n` +
      "• `/register-patient 943 476 5919 22/10/2010`\n" +
      "• `/register-patient 9434765919 22 Oct 2010`\n" +
      "The NHS number may have spaces or hyphens. Write the date day first (22/10/2010, 22.10.2010, " +
      "22 October 2010) or as 2010-10-22."
  ),
  context("Only you can see this message and the result.")
])

/**
 * A command that cannot be run: what is wrong and how to fix it.
 *
 * @since 0.1.0
 */
export const mistake = (message: string): Message =>
  ephemeral("That command needs fixing", [
    section(`:warning: ${escape(message)}`),
    context(`Usage: \`${SlackCommand.name} ${escape(SlackCommand.usageHint)}\``)
  ])

/**
 * Why someone may not use the command here: the workspace, the user or the channel is not allowed, or the
 * place is not linked to a practice.
 *
 * @since 0.1.0
 * @category models
 */
export type Denial = "team" | "user" | "channel" | "practice"

const denials: { readonly [D in Denial]: { readonly what: string; readonly next: string } } = {
  team: {
    what: "This Slack workspace is not set up to use this app.",
    next: "If you need access, ask your practice admin."
  },
  user: {
    what: "You are not on the list of people allowed to register patients with this app.",
    next: "If you need access, ask your practice admin."
  },
  channel: {
    what: "Patients can't be registered from this channel.",
    next: "Use the command in one of the channels your practice has set up for it, or ask your practice admin."
  },
  practice: {
    what: "This channel is not linked to a practice, so nothing was looked up.",
    next: "Use the command in your practice's channel, or ask your admin to add this one to SLACK_PRACTICES."
  }
}

/**
 * The command is not allowed here.
 *
 * @since 0.1.0
 */
export const denied = (denial: Denial): Message =>
  ephemeral("Not allowed here", [section(`:no_entry: ${denials[denial].what}\n${denials[denial].next}`)])

/**
 * The result could not be delivered: Slack gave a `response_url` outside the allowed origins.
 *
 * @since 0.1.0
 */
export const undeliverable = (ref: string): Message =>
  ephemeral("The result could not be delivered", [
    section(
      ":warning: This app is not allowed to send results to this Slack's reply address, so nothing was looked up. " +
        "Ask your practice admin to check SLACK_RESPONSE_URL_ORIGINS."
    ),
    context(reference(ref))
  ])

/**
 * Too many lookups are waiting: nothing was looked up.
 *
 * @since 0.1.0
 */
export const busy: Message = ephemeral("Busy: try again in a minute", [
  section(
    ":hourglass: Too many patients are being looked up right now, so nothing was looked up for this one.\n" +
      "Try again in a minute."
  )
])

/**
 * The acknowledgement: the trace has started.
 *
 * @since 0.1.0
 */
export const tracing = (masked: string): Message =>
  ephemeral(`Tracing ${masked} on PDS…`, [
    section(`:hourglass_flowing_sand: Tracing NHS number \`${masked}\` on PDS…`),
    context("The result will replace this message in a few seconds. Only you can see it.")
  ])

/**
 * The patient is registered with Hero.
 *
 * @since 0.1.0
 */
export const registered = (masked: string, result: RegisterPds.Registered, ref: string): Message => {
  const patientId = showPatientId(result.patientId)
  return followUp(`Registered ${masked} with Hero`, [
    header("Patient registered with Hero"),
    { type: "section", fields: [md(`*NHS number*\n\`${masked}\``), md(`*Hero patient id*\n\`${patientId.text}\``)] },
    ...(patientId.exact ? [] : [
      section(
        ":warning: Hero sent a patient id this message cannot show exactly (too long, or unusual characters). " +
          "Look the patient up in Hero, or quote the reference below to support."
      )
    ]),
    context(reference(ref))
  ])
}

/**
 * Hero needs the patient to verify their identity first: the link is for the patient, so the button is plain
 * (not the receptionist's action) and says so. A link too long or not http(s) is shown as text only.
 *
 * @since 0.1.0
 */
export const verificationRequired = (
  masked: string,
  result: RegisterPds.VerificationRequired,
  ref: string
): Message =>
  followUp(`${masked} must verify their identity`, [
    header("Patient must verify their identity"),
    section(
      `PDS found NHS number \`${masked}\`, but Hero needs the patient to verify their identity before they can be ` +
        `registered. Send the patient this link (it is for them to open, not you):\n${escape(result.loginUrl)}`
    ),
    {
      type: "actions",
      elements: [{
        type: "button",
        text: plain("Patient's verification link"),
        url: result.loginUrl,
        action_id: verificationLinkActionId
      }]
    },
    context(reference(ref))
  ])

/**
 * What a failed registration tells staff: a title and what to do next.
 *
 * @since 0.1.0
 * @category models
 */
export interface Explanation {
  readonly title: string
  readonly next: string
}

const timedOut: Explanation = {
  title: "Hero did not answer in time",
  next: "Nothing went wrong on your side. Trying again is safe: the same patient always gets the same Hero id."
}
const credentials: Explanation = {
  title: "Hero refused this app's credentials",
  next: "This is not something you can fix here: ask your practice admin to check the Hero API key " +
    "and practice group configured for this Slack app."
}
const notAccepted: Explanation = {
  title: "Hero did not accept these details",
  next: "Check the NHS number and date of birth and try again. If it keeps happening, contact support."
}
const unexpected: Explanation = {
  title: "Something went wrong",
  next: "The registration may not have completed. Trying again is safe; if it keeps happening, contact support."
}

/**
 * The explanation of every `HeroError`, by tag: a new tag does not compile until it is explained.
 *
 * @since 0.1.0
 */
export const explanations: {
  readonly [T in HeroError.Tag]: (error: Extract<HeroError.HeroError, { _tag: T }>) => Explanation
} = {
  PatientNotFound: () => ({
    title: "No patient found on PDS",
    next: "Check the NHS number and date of birth with the patient (or their documents) and try again."
  }),
  RateLimited: (error) => {
    const seconds = error.retryAfter === undefined ? 30 : Math.max(1, Math.ceil(error.retryAfter / 1000))
    return {
      title: "Hero is busy right now",
      next: `Too many requests were made. Try again in ${seconds} second${seconds === 1 ? "" : "s"}.`
    }
  },
  Unauthorized: () => credentials,
  Forbidden: () => credentials,
  ServerError: () => ({
    title: "Hero or PDS is not responding",
    next: "This is usually temporary. Try again in a few minutes."
  }),
  TransportError: (error) =>
    error.reason === "Timeout" ? timedOut : {
      title: "Hero or PDS is not responding",
      next: "This is usually temporary. Try again in a few minutes."
    },
  BadRequest: () => notAccepted,
  InvalidInput: () => notAccepted,
  UnexpectedResponse: () => unexpected
}

/**
 * The explanation of a failure (`undefined`: a failure that is not Hero's, e.g. a defect).
 *
 * @since 0.1.0
 */
export const explain = (error: HeroError.HeroError | undefined): Explanation =>
  error === undefined ? unexpected : (explanations[error._tag] as (error: HeroError.HeroError) => Explanation)(error)

const failure = (masked: string, explanation: Explanation, ref: string): Message =>
  followUp(`${explanation.title} (${masked})`, [
    header(explanation.title),
    section(`NHS number \`${masked}\`\n${explanation.next}`),
    context(reference(ref))
  ])

/**
 * A registration that failed, in plain language with what to do next.
 *
 * @since 0.1.0
 */
export const failed = (masked: string, error: HeroError.HeroError | undefined, ref: string): Message =>
  failure(masked, explain(error), ref)

/**
 * Hero did not answer within the command's deadline: retrying is safe.
 *
 * @since 0.1.0
 */
export const deadlineExceeded = (masked: string, ref: string): Message => failure(masked, timedOut, ref)

/**
 * The app stopped (a restart or deployment) before the lookup finished, or before it started.
 *
 * @since 0.1.0
 */
export const stopped = (masked: string, ref: string): Message =>
  failure(masked, {
    title: "The app restarted before your lookup finished",
    next: "Trying again is safe: the same patient always gets the same Hero id. Try again in a minute."
  }, ref)
