/**
 * The Node entry: `node dist/NodeMain.js` (`pnpm --filter @hero-pds/slack-bot start`). Serves the app on
 * `PORT` until SIGINT/SIGTERM, configured from the environment.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServer from "./NodeServer.js"

NodeRuntime.runMain(NodeServer.main, { disableErrorReporting: true, disablePrettyLogger: true })
