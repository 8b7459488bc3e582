/**
 * The messages the app sends back to Slack, in Block Kit. Every one is ephemeral (only the person who typed
 * the command sees it), and every notification `text` carries at most the masked NHS number.
 *
 * @since 0.1.0
 */
import type * as HeroError from "@hero-pds/core/HeroError"
import type * as RegisterPds from "@hero-pds/core/RegisterPds"
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
 * @since 0.1.0
 * @category models
 */
export interface PlainText {
  readonly type: "plain_text"
  readonly text: string
  readonly emoji?: boolean
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Markdown {
  readonly type: "mrkdwn"
  readonly text: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface LinkButton {
  readonly type: "button"
  readonly text: PlainText
  readonly url: string
  readonly action_id: string
  readonly style?: "primary"
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

const plain = (text: string): PlainText => ({ type: "plain_text", text, emoji: true })
const md = (text: string): Markdown => ({ type: "mrkdwn", text })
const header = (text: string): Block => ({ type: "header", text: plain(text) })
const section = (text: string): Block => ({ type: "section", text: md(text) })
const context = (...texts: ReadonlyArray<string>): Block => ({ type: "context", elements: texts.map(md) })

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
const escape = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

const ephemeral = (text: string, blocks: ReadonlyArray<Block>): Message => ({
  response_type: "ephemeral",
  text,
  blocks
})

const followUp = (text: string, blocks: ReadonlyArray<Block>): Message => ({
  response_type: "ephemeral",
  replace_original: true,
  text,
  blocks
})

const reference = (correlationId: string) => `Reference \`${correlationId}\` (quote it if you contact support)`

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
      "• `/register-patient 9434765919 2010-10-22`\n" +
      "The NHS number may have spaces or hyphens. Write the date day first (DD/MM/YYYY) or as YYYY-MM-DD."
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
 * Why someone may not use the command here.
 *
 * @since 0.1.0
 * @category models
 */
export type Denial = "team" | "user" | "channel"

/**
 * The command is not allowed for this workspace, user or channel.
 *
 * @since 0.1.0
 */
export const denied = (denial: Denial): Message => {
  const what = denial === "team"
    ? "This Slack workspace is not set up to use this app."
    : denial === "user"
    ? "You are not on the list of people allowed to register patients with this app."
    : "Patients can't be registered from this channel."
  const next = denial === "channel"
    ? "Use the command in one of the channels your practice has set up for it, or ask your practice admin."
    : "If you need access, ask your practice admin."
  return ephemeral("Not allowed here", [section(`:no_entry: ${what}\n${next}`)])
}

/**
 * The result could not be delivered: Slack gave a `response_url` outside the allowed origins.
 *
 * @since 0.1.0
 */
export const undeliverable = (correlationId: string): Message =>
  ephemeral("The result could not be delivered", [
    section(
      ":warning: This app is not allowed to send results to this Slack's reply address, so nothing was looked up. " +
        "Ask your practice admin to check SLACK_RESPONSE_URL_ORIGINS."
    ),
    context(reference(correlationId))
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
export const registered = (masked: string, result: RegisterPds.Registered, correlationId: string): Message =>
  followUp(`Registered ${masked} with Hero`, [
    header("Patient registered with Hero"),
    {
      type: "section",
      fields: [md(`*NHS number*\n\`${masked}\``), md(`*Hero patient id*\n\`${escape(result.patientId)}\``)]
    },
    context(reference(correlationId))
  ])

/**
 * Hero needs the patient to verify their identity first.
 *
 * @since 0.1.0
 */
export const verificationRequired = (
  masked: string,
  result: RegisterPds.VerificationRequired,
  correlationId: string
): Message =>
  followUp(`${masked} must verify their identity`, [
    header("Patient must verify their identity"),
    section(
      `PDS found NHS number \`${masked}\`, but Hero needs the patient to verify their identity before they can be ` +
        `registered. Send the patient this link:\n${escape(result.loginUrl)}`
    ),
    {
      type: "actions",
      elements: [{
        type: "button",
        text: plain("Open verification link"),
        url: result.loginUrl,
        action_id: "open_verification_link",
        style: "primary"
      }]
    },
    context(reference(correlationId))
  ])

/**
 * What a failed registration tells staff: a title and what to do next.
 *
 * @since 0.1.0
 */
export const explain = (error: HeroError.HeroError | undefined): { readonly title: string; readonly next: string } => {
  switch (error?._tag) {
    case "PatientNotFound":
      return {
        title: "No patient found on PDS",
        next: "Check the NHS number and date of birth with the patient (or their documents) and try again."
      }
    case "RateLimited": {
      const seconds = error.retryAfter === undefined ? 30 : Math.max(1, Math.ceil(error.retryAfter / 1000))
      return {
        title: "Hero is busy right now",
        next: `Too many requests were made. Try again in ${seconds} second${seconds === 1 ? "" : "s"}.`
      }
    }
    case "Unauthorized":
    case "Forbidden":
      return {
        title: "Hero refused this app's credentials",
        next: "This is not something you can fix here: ask your practice admin to check the Hero API key " +
          "and practice group configured for this Slack app."
      }
    case "ServerError":
    case "TransportError":
      return {
        title: "Hero or PDS is not responding",
        next: "This is usually temporary. Try again in a few minutes."
      }
    case "BadRequest":
    case "InvalidInput":
      return {
        title: "Hero did not accept these details",
        next: "Check the NHS number and date of birth and try again. If it keeps happening, contact support."
      }
    default:
      return {
        title: "Something went wrong",
        next: "The registration may not have completed. Try again shortly; if it keeps happening, contact support."
      }
  }
}

/**
 * A registration that failed, in plain language with what to do next.
 *
 * @since 0.1.0
 */
export const failed = (masked: string, error: HeroError.HeroError | undefined, correlationId: string): Message => {
  const { next, title } = explain(error)
  return followUp(`${title} (${masked})`, [
    header(title),
    section(`NHS number \`${masked}\`\n${next}`),
    context(reference(correlationId))
  ])
}
