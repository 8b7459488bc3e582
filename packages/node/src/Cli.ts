/**
 * The `hero-pds` command line: `register` (by NHS number or by demographics), `bulk` (a CSV file) and `sandbox`.
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as DateOfBirth from "@hero-pds/core/DateOfBirth"
import * as EnvConfig from "@hero-pds/core/EnvConfig"
import * as HeroClient from "@hero-pds/core/HeroClient"
import * as HeroConfig from "@hero-pds/core/HeroConfig"
import * as HeroError from "@hero-pds/core/HeroError"
import * as Outcome from "@hero-pds/core/Outcome"
import * as RegisterPds from "@hero-pds/core/RegisterPds"
import * as NodeSandboxServer from "@hero-pds/sandbox/NodeSandboxServer"
import * as Sandbox from "@hero-pds/sandbox/Sandbox"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as BulkCommand from "./internal/bulkCommand.js"
import * as Throttle from "./internal/bulkThrottle.js"
import * as Csv from "./internal/csv.js"
import * as Render from "./internal/render.js"
import * as SandboxFlags from "./internal/sandboxFlags.js"
import * as Terminal from "./internal/terminal.js"
import { version } from "./internal/version.js"
import * as NodeHeroClient from "./NodeHeroClient.js"

const setExitCode = (code: number) => Effect.sync(() => (process.exitCode = code))

const connection = {
  env: Options.choice("env", ["staging", "production", "sandbox"]).pipe(
    Options.withDescription("Hero environment (overrides HERO_ENV)"),
    Options.optional
  ),
  baseUrl: Options.text("base-url").pipe(
    Options.withDescription("Base URL of the API (overrides HERO_BASE_URL); https: unless loopback"),
    Options.optional
  )
}

/** No environment chosen (flag or `HERO_ENV`) and no key: the sandbox, as the README's quick start promises. */
const unconfigured = Config.map(
  Config.all([EnvConfig.text(HeroConfig.envNames.environment), EnvConfig.text(HeroConfig.envNames.apiKey)]),
  (set) => set.every(Option.isNone)
)

/**
 * Settings from the flags over the `HERO_*` variables, through the same `HeroConfig` path as every client; the
 * sandbox when nothing says otherwise. The notice goes to stderr only when the embedded sandbox will answer.
 */
const configFrom = (
  flags: { env: Option.Option<HeroConfig.Environment>; baseUrl: Option.Option<string> },
  extra: Pick<HeroConfig.Options, "maxConcurrency" | "maxRequestsPerSecond"> = {}
) =>
  Effect.gen(function*() {
    const variables = EnvConfig.fromRecord(process.env)
    const sandbox = Option.isNone(flags.env) &&
      (yield* Effect.withConfigProvider(unconfigured, variables).pipe(Effect.orElseSucceed(() => false)))
    const options: HeroConfig.Options = {
      environment: sandbox ? "sandbox" : Option.getOrUndefined(flags.env),
      baseUrl: Option.getOrUndefined(flags.baseUrl),
      ...extra
    }
    const config = yield* HeroConfig.make(options, process.env, Sandbox.heroConfigDefaults).pipe(
      Effect.mapError(HeroConfig.HeroConfigError.fromConfigError)
    )
    if (NodeHeroClient.isEmbeddedSandbox(config)) {
      yield* Console.error(
        "Using the embedded sandbox (synthetic patients, not Hero): set HERO_API_KEY and HERO_ENV to call Hero."
      )
    }
    return config
  })

/** The Node client for a validated configuration. */
const clientLayer = (config: HeroConfig.Service) =>
  Layer.provide(NodeHeroClient.layerWithoutConfig, Layer.succeed(HeroConfig.HeroConfig, config))

/** A number flag whose bad value is named in plain English ("'abc' is not an integer"). */
const numberOption = (name: string, kind: "integer" | "number") =>
  Options.text(name).pipe(
    Options.mapEffect((text) => {
      const value = Number(text)
      return text.trim() !== "" && Number.isFinite(value) && (kind === "number" || Number.isInteger(value))
        ? Effect.succeed(value)
        : Effect.fail(
          ValidationError.invalidValue(
            HelpDoc.p(`--${name}: '${text}' is not ${kind === "integer" ? "an integer" : "a number"}`)
          )
        )
    })
  )

const json = Options.boolean("json").pipe(Options.withDescription("Print exactly one JSON object on stdout"))

const print = (outcome: Outcome.Outcome, asJson: boolean) => {
  const { stderr, stdout } = Render.render(outcome)
  return Effect.zipRight(
    asJson
      ? Console.log(JSON.stringify(outcome))
      : Effect.zipRight(
        stdout === undefined ? Effect.void : Console.log(stdout),
        stderr === undefined ? Effect.void : Console.error(stderr)
      ),
    setExitCode(Outcome.exitCode(outcome))
  )
}

const usage = (message: string) => Effect.fail(new HeroError.InvalidInput({ issues: [{ path: "", message }] }))

/** Every request field, once, in the order the variants name them (nhsNumber, dob, ehrPartner, ..., postcode). */
const requestFields = [
  ...new Map(RegisterPds.variants.flatMap((variant) => variant.fields).map((field) => [field.name, field])).values()
]

const kebab = (name: string) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)

/** One `--flag` per request field (`--nhs-number`, `--ehr-partner-id`, ...), read off the request schemas. */
const fieldFlags = Options.all(
  Object.fromEntries(
    requestFields.map((field) => [
      field.name,
      Options.text(kebab(field.name)).pipe(
        Options.withDescription(
          field.name === "dob" ? "Date of birth, day first (22/10/2010 or 2010-10-22)" : field.expected
        ),
        Options.optional
      )
    ])
  )
)

/** The flags a variant needs, e.g. `--forename --surname --dob --postcode`. */
const flagsOf = (variant: RegisterPds.Variant) =>
  variant.fields.filter((field) => !field.optional).map((field) => `--${kebab(field.name)}`).join(" ")

const [byNhsNumber, byDemographics] = RegisterPds.variants
const usageMessage = `give either <nhs-number> <dob> (or ${flagsOf(byNhsNumber)}), or ${flagsOf(byDemographics)}`

/** Turns the positional (`<nhs-number> <dob>`) and flag forms of `register` into one input, reading UK dates. */
const inputFrom = (args: {
  readonly nhsNumberArg: Option.Option<string>
  readonly dobArg: Option.Option<string>
  readonly fields: Readonly<Record<string, Option.Option<string>>>
}): Effect.Effect<RegisterPds.Input, HeroError.InvalidInput> => {
  const given: Record<string, string> = {}
  for (const [name, value] of Object.entries(args.fields)) if (Option.isSome(value)) given[name] = value.value
  if (Option.isSome(args.nhsNumberArg)) given.nhsNumber = args.nhsNumberArg.value
  if (Option.isSome(args.dobArg)) given.dob = args.dobArg.value
  if (RegisterPds.variants.filter((variant) => variant.own.some((field) => field.name in given)).length !== 1) {
    return usage(usageMessage)
  }
  if (given.dob === undefined) return usage("the date of birth is missing")
  return Either.match(DateOfBirth.parse(given.dob), {
    onLeft: (message) => Effect.fail(new HeroError.InvalidInput({ issues: [{ path: "dob", message }] })),
    // Validated field by field by `registerPds`, which names what is missing or wrong.
    onRight: (dob) => Effect.succeed({ ...given, dob } as unknown as RegisterPds.Input)
  })
}

const register = Command.make("register", {
  ...connection,
  json,
  nhsNumberArg: Args.text({ name: "nhs-number" }).pipe(Args.optional),
  dobArg: Args.text({ name: "dob" }).pipe(Args.optional),
  fields: fieldFlags
}, (args) =>
  Effect.gen(function*() {
    const input = yield* inputFrom(args)
    const config = yield* configFrom(args)
    return yield* HeroClient.registerPds(input).pipe(
      Effect.provide(clientLayer(config))
    )
  }).pipe(
    Effect.match({ onFailure: Outcome.fromError, onSuccess: Outcome.fromResult }),
    Effect.flatMap((outcome) => print(outcome, args.json))
  )).pipe(
    Command.withDescription(
      "Trace a patient on PDS and get their Hero patient_id.\n\n" +
        "Examples:\n" +
        "  hero-pds register 9000000009 2010-10-22\n" +
        "  hero-pds register \"943 476 5919\" 22/10/2010 --json\n" +
        "  hero-pds register --forename Jane --surname Smith --dob 1985-07-09 --postcode \"SW1A 1AA\"\n" +
        "  HERO_API_KEY=... HERO_PRACTICE_GROUP_ID=... hero-pds register 9434765919 1992-01-01 --env production\n\n" +
        "Exit codes: 0 registered, 3 verification required, 2 invalid input or configuration, 4 not found,\n" +
        "5 unauthorised/forbidden, 6 rate limited, 7 server or network error, 8 unexpected response."
    )
  )

/** Why a port cannot be listened on, in words. */
const listenProblem = (cause: unknown): string => {
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined
  return code === "EADDRINUSE"
    ? "the port is in use (choose another with --port)"
    : code === "EACCES"
    ? "permission denied (choose a port above 1023)"
    : code ?? "the port cannot be used"
}

const sandbox = Command.make("sandbox", {
  port: numberOption("port", "integer").pipe(
    Options.withDefault(Sandbox.defaultPort),
    Options.withDescription("Port on 127.0.0.1 (0: any free port)")
  ),
  ...SandboxFlags.flags
}, ({ port, ...shape }) =>
  Effect.gen(function*() {
    if (port < 0 || port > 65535) {
      return yield* Effect.fail(`--port must be from 0 (any free port) to 65535, not ${port}`)
    }
    const options = SandboxFlags.options(shape)
    if (typeof options === "string") return yield* Effect.fail(options)
    const { url } = yield* NodeSandboxServer.serve({ port, ...options }).pipe(
      Effect.mapError((error) => `cannot listen on 127.0.0.1:${port}: ${listenProblem(error.cause)}`)
    )
    yield* Console.log(
      [
        `Hero sandbox listening on ${url} (${SandboxFlags.describe(options, shape)})`,
        `  HERO_BASE_URL=${url}`,
        `  HERO_API_KEY=${Sandbox.apiKey}`,
        `  HERO_PRACTICE_GROUP_ID=${Sandbox.practiceGroupId}`,
        `Try: curl -X POST ${url}/v1/patients/register_pds -H "x-api-key: ${Sandbox.apiKey}" ` +
        `-H "x-practice-group-id: ${Sandbox.practiceGroupId}" -H "content-type: application/json" ` +
        `-d '{"nhs_number":"9000000009","dob":"2010-10-22"}'`,
        "Press Ctrl-C to stop."
      ].join("\n")
    )
    return yield* Effect.never
  }).pipe(
    Effect.scoped,
    Effect.catchAll((message) =>
      Effect.zipRight(Console.error(`Error: ${message}`), setExitCode(Outcome.usageExitCode))
    )
  )).pipe(
    Command.withDescription(
      "Serve the Hero sandbox over HTTP on 127.0.0.1 for local development.\n\n" +
        "Examples:\n" +
        "  hero-pds sandbox --port 4010\n" +
        "  hero-pds sandbox --rate 1 --burst 1                      # 429s with Retry-After past 1 request/s\n" +
        "  hero-pds sandbox --fault 503 --fault slow --slow-ms 25000 # a flaky, slow Hero for 30% of requests"
    )
  )

const bulk = Command.make("bulk", {
  ...connection,
  input: Args.text({ name: "in.csv" }).pipe(Args.withDescription("The CSV to register")),
  output: Options.text("out").pipe(Options.withDescription("The CSV to write, or to resume if it exists")),
  concurrency: numberOption("concurrency", "integer").pipe(
    Options.optional,
    Options.withDescription(
      `Rows registered at once (default: with --rate, as many as the latency needs; else ${Throttle.defaultConcurrency})`
    )
  ),
  rate: numberOption("rate", "number").pipe(
    Options.optional,
    Options.withDescription("Requests per second at most (e.g. the partner agreement's limit)")
  ),
  encoding: Options.choice("encoding", Csv.encodings).pipe(
    Options.optional,
    Options.withDescription("The input's encoding when it has no byte order mark (default utf-8)")
  ),
  delimiter: Options.choice("delimiter", Object.keys(Csv.delimiters) as Array<keyof typeof Csv.delimiters>).pipe(
    Options.optional,
    Options.withDescription("The input's delimiter (default: detected from its header line)")
  ),
  retryErrors: Options.boolean("retry-errors").pipe(
    Options.withDescription("Send again the rows of --out whose outcome was a temporary failure, in place")
  )
}, (args) =>
  Effect.gen(function*() {
    const settings = yield* BulkCommand.settings(args)
    const config = yield* configFrom(args, {
      maxConcurrency: settings.concurrency,
      maxRequestsPerSecond: settings.rate === undefined ? undefined : Throttle.pacedRate(settings.rate)
    })
    return yield* BulkCommand.run(settings, config)
  }).pipe(
    Effect.catchAll((error) =>
      Effect.zipRight(Console.error(`Error: ${error.message}`), setExitCode(Outcome.usageExitCode))
    )
  )).pipe(
    Command.withDescription(
      "Register every row of a CSV file, within Hero's rate limit, writing one output row per input row.\n\n" +
        "The input may be UTF-8 (with or without a BOM), UTF-16 with a BOM, or Windows-1252 (--encoding), separated\n" +
        "by commas, semicolons or tabs. Its header names an NHS number and a date of birth, or forename, surname, date\n" +
        "of birth and postcode (any order, case, spacing or punctuation: NHS No, DOB, First name, Last name, ...).\n" +
        "Dates are read day first; a file with US (month-first) dates is refused. The output has the columns\n" +
        "row,nhs_number,dob,outcome,patient_id,login_url,error,status, then the input's other columns unchanged,\n" +
        "one row per input row in input order (row = the input's data-row number), every cell safe to open in a\n" +
        "spreadsheet. Re-running with the same --out resumes: rows already written are never sent again; with\n" +
        "--retry-errors, rows that failed for a temporary reason are sent again and rewritten in place. One run per\n" +
        "--out at a time (a lock beside it); where its answers came from is recorded beside it (--out.origin.json),\n" +
        "and a resume against another environment or practice group is refused.\n" +
        `Ctrl-C or SIGTERM stops sending and gives the requests in flight ${
          BulkCommand.gracePeriodMs / 1000
        } seconds to finish (Ctrl-C again\nstops at once); unfinished rows are done when you resume.\n\n` +
        "Example:\n" +
        "  hero-pds bulk patients.csv --out registered.csv --rate 50\n\n" +
        "Exit codes: 0 every row done (per-row errors are in the file), 2 usage, configuration, unreadable or\n" +
        "malformed input, an --out that is not this input's, is locked by another run or came from elsewhere;\n" +
        "5 Hero refused the credentials; 6 rate limited or 7 server/network errors on many rows in a row (stopped;\n" +
        "resume later); 130 Ctrl-C, 143 SIGTERM."
    )
  )

/**
 * The `hero-pds` command and its subcommands.
 *
 * @since 0.1.0
 */
export const command = Command.make("hero-pds", connection).pipe(
  Command.withDescription("Register patients with Hero Health's register_pds (PDS trace) from the command line."),
  Command.withSubcommands([register, bulk, sandbox])
)

/**
 * Runs the CLI on `process.argv`-style arguments. Sets `process.exitCode` from the outcome.
 *
 * @since 0.1.0
 */
export const run = (
  argv: ReadonlyArray<string>
): Effect.Effect<void, ValidationError.ValidationError, CliApp.CliApp.Environment> =>
  Terminal.withPlainConsole(runCommand(argv))

const runCommand = Command.run(command, { name: "hero-pds", version })
