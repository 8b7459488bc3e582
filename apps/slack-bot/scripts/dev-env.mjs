/**
 * The development settings shared by `pnpm dev` (scripts/dev.mjs) and scripts/send-command.mjs. The signing
 * secret and audit key are for local use only: they are published here (and in .dev.vars.example), so never use
 * them for a real Slack app.
 */
export const devSigningSecret = "dev-only-signing-secret-not-for-slack"
export const devAuditHashKey = "dev-only-audit-hash-key-not-for-real-use-0123"
export const devTeamId = "TDEV00001"
export const devUserId = "UDEV00001"
export const devChannelId = "CDEV00001"
export const devPort = Number(process.env.PORT ?? 3000)
export const receiverPort = Number(process.env.RECEIVER_PORT ?? 3001)

/** The environment the development server runs with: the embedded Hero sandbox, loopback only. */
export const devEnv = () => ({
  PORT: String(devPort),
  HOST: "127.0.0.1",
  SLACK_SIGNING_SECRET: devSigningSecret,
  SLACK_ALLOWED_TEAM_IDS: devTeamId,
  SLACK_RESPONSE_URL_ORIGINS: `https://hooks.slack.com,http://127.0.0.1:${receiverPort}`,
  AUDIT_HASH_KEY: devAuditHashKey,
  HERO_ENV: "sandbox"
})
