/**
 * Signing and building slash commands the way Slack does, with node:crypto (independent of the app's
 * Web Crypto signer, so the scheme is checked rather than echoed).
 */
import { createHmac } from "node:crypto"

/** Slack's published example ("Verifying requests from Slack"). */
export const example = {
  secret: "8f742231b10e8888abcd99yyyzzz85a5",
  timestamp: "1531420618",
  body: "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&" +
    "channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&" +
    "response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&" +
    "trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
  signature: "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
} as const

export const secret = "test-signing-secret-0123456789abcdef"
/** The audit hash key of the tests (a secret: it must never be logged). */
export const auditHashKey = "test-audit-hash-key-0123456789abcdef-0123"
export const team = "TTEST0001"
export const user = "UTEST0001"
export const channel = "CTEST0001"

export const sign = (signingSecret: string, timestamp: string, body: string | Uint8Array): string =>
  `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:`).update(body).digest("hex")}`

export interface CommandFields {
  readonly text: string
  readonly responseUrl: string
  readonly team?: string
  readonly user?: string
  readonly channel?: string
}

export const commandBody = (fields: CommandFields): string =>
  new URLSearchParams({
    token: "deprecated-verification-token",
    team_id: fields.team ?? team,
    team_domain: "practice",
    channel_id: fields.channel ?? channel,
    channel_name: "reception",
    user_id: fields.user ?? user,
    user_name: "reception.staff",
    command: "/register-patient",
    text: fields.text,
    response_url: fields.responseUrl,
    trigger_id: "13345224609.738474920.8088930838d88f008e0"
  }).toString()

export interface Signed {
  readonly headers: Record<string, string>
  readonly body: string
}

/** How a request is signed: at `nowSeconds` (default now), with `secret` (default the tests' signing secret). */
export interface SignOptions {
  readonly nowSeconds?: number
  readonly secret?: string
}

/** A form body signed the way Slack signs it. */
export const signedForm = (body: string, options: SignOptions = {}): Signed => {
  const timestamp = String(options.nowSeconds ?? Math.floor(Date.now() / 1000))
  return {
    body,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": sign(options.secret ?? secret, timestamp, body)
    }
  }
}

/** A signed slash command. */
export const signedCommand = (fields: CommandFields, options: SignOptions = {}): Signed =>
  signedForm(commandBody(fields), options)

/** A signed interactivity request (`payload=<json>`), as Slack sends when a button is clicked. */
export const signedInteraction = (payload: unknown, options: SignOptions = {}): Signed =>
  signedForm(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), options)

/** A `block_actions` payload for the verification link button. */
export const blockActions = {
  type: "block_actions",
  team: { id: team, domain: "practice" },
  user: { id: user, username: "reception.staff", team_id: team },
  api_app_id: "A0123ABCD",
  container: { type: "message", message_ts: "1548261231.000200", channel_id: channel, is_ephemeral: true },
  trigger_id: "12345.98765.abcd2358fdea",
  channel: { id: channel, name: "reception" },
  response_url: "https://hooks.slack.com/actions/T0123/456/abc",
  actions: [{
    action_id: "open_verification_link",
    block_id: "b1",
    text: { type: "plain_text", text: "Patient's verification link", emoji: true },
    type: "button",
    action_ts: "1548426417.840180"
  }]
}
