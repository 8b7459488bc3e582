// Posts a slash command to the app the way Slack does: form-encoded, with a `v0` HMAC-SHA256 signature of
// `v0:{timestamp}:{body}` under the signing secret. Shared by scripts/send-command.mjs and bench/run.mjs.
import { createHmac } from "node:crypto"

/** POSTs `fields` to `${url}/slack/commands`, signed with `secret` at the current time. */
export const postSignedCommand = (url, secret, fields) => {
  const body = new URLSearchParams(fields).toString()
  const timestamp = String(Math.floor(Date.now() / 1000))
  const signature = `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`
  return fetch(`${url}/slack/commands`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": signature
    },
    body
  })
}
