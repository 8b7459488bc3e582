/**
 * The `hero-pds` executable.
 *
 * @since 0.1.0
 */
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Outcome from "@hero-pds/core/Outcome"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Cli from "./Cli.js"

Cli.run(process.argv).pipe(
  Effect.catchIf(
    ValidationError.isValidationError,
    () => Effect.sync(() => (process.exitCode = Outcome.usageExitCode))
  ),
  Effect.provide(NodeContext.layer),
  (program) =>
    NodeRuntime.runMain(program, {
      disableErrorReporting: false,
      // Interrupted by a signal: the code the command chose (bulk sets 130/143 after writing), else 130.
      teardown: (exit, onExit) =>
        onExit(
          exit._tag === "Success"
            ? Number(process.exitCode ?? 0)
            : Cause.isInterruptedOnly(exit.cause)
            ? Number(process.exitCode ?? 130)
            : 1
        )
    })
)
