/**
 * Sends a correctly signed `/register-patient` command to the development server (scripts/dev.mjs), with a
 * local 127.0.0.1 receiver standing in for Slack's `response_url`, and prints the acknowledgement and the
 * follow-up.
 *
 *   node scripts/send-command.mjs "900 000 0009 22/10/2010"   # registered (sandbox patient Jane Smith)
 *   node scripts/send-command.mjs "900 000 0017 14/03/1985"   # verification required
 *   node scripts/send-command.mjs "999 000 0018 01/01/1990"   # not found
 *   node scripts/send-command.mjs help
 *
 * URL=http://127.0.0.1:3000 (the server) and RECEIVER_PORT=3001 may be overridden.
 */
import * as Http from "node:http"
import { devChannelId, devPort, devSigningSecret, devTeamId, devUserId, receiverPort } from "./dev-env.mjs"
import { postSignedCommand } from "./signed-command.mjs"

const text = process.argv.slice(2).join(" ")
const url = process.env.URL ?? `http://127.0.0.1:${devPort}`
const secret = process.env.SLACK_SIGNING_SECRET ?? devSigningSecret

let resolveFollowUp
const followUp = new Promise((resolve) => (resolveFollowUp = resolve))
const receiver = Http.createServer((request, response) => {
  const chunks = []
  request.on("data", (chunk) => chunks.push(chunk))
  request.on("end", () => {
    response.writeHead(200, { "content-type": "text/plain" }).end("ok")
    resolveFollowUp(Buffer.concat(chunks).toString("utf8"))
  })
})
await new Promise((resolve) => receiver.listen(receiverPort, "127.0.0.1", resolve))

const fields = {
  token: "unused",
  team_id: devTeamId,
  team_domain: "dev",
  channel_id: devChannelId,
  channel_name: "reception",
  user_id: devUserId,
  user_name: "dev",
  command: "/register-patient",
  text,
  response_url: `http://127.0.0.1:${receiverPort}/commands/${devTeamId}/1/dev`,
  trigger_id: "1.2.3"
}

const started = performance.now()
const response = await postSignedCommand(url, secret, fields).catch((error) => {
  receiver.close()
  console.error(`Could not reach ${url} (${error.cause?.code ?? error.message}): start it with pnpm dev first.`)
  process.exit(1)
})
const ack = await response.text()
console.log(`Ack: HTTP ${response.status} in ${(performance.now() - started).toFixed(1)} ms`)
console.log(ack === "" ? "(empty)" : JSON.stringify(JSON.parse(ack), null, 2))

const isTracing = response.status === 200 && ack.includes("Tracing")
if (isTracing) {
  const timeout = setTimeout(() => resolveFollowUp(undefined), 30_000)
  const posted = await followUp
  clearTimeout(timeout)
  console.log(
    posted === undefined ? "No follow-up within 30 s." : `Follow-up:\n${JSON.stringify(JSON.parse(posted), null, 2)}`
  )
}
receiver.close()
