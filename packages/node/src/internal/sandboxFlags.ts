import * as Options from "@effect/cli/Options"
import * as Sandbox from "@hero-pds/sandbox/Sandbox"
import * as Option from "effect/Option"

/** The faults `hero-pds sandbox --fault` can inject, each as the sandbox's own `Fault`. */
const faults = (slowMs: number): Readonly<Record<string, Sandbox.Fault>> => ({
  "429": Sandbox.Fault.Status({ status: 429, retryAfter: "1" }),
  "500": Sandbox.Fault.Status({ status: 500 }),
  "502": Sandbox.Fault.Status({ status: 502 }),
  "503": Sandbox.Fault.Status({ status: 503, retryAfter: "1" }),
  "504": Sandbox.Fault.Status({ status: 504 }),
  drop: Sandbox.Fault.Drop(),
  malformed: Sandbox.Fault.Malformed({ body: "<html>Bad gateway</html>", contentType: "text/html" }),
  slow: Sandbox.Fault.Delay({ millis: slowMs })
})

/** The flags of `hero-pds sandbox` that shape it: its rate limit and the faults it injects. */
export const flags = {
  rate: Options.float("rate").pipe(
    Options.withDefault(10),
    Options.withDescription("Requests per second each key may send (0: no rate limit), answered 429 past it")
  ),
  burst: Options.integer("burst").pipe(
    Options.optional,
    Options.withDescription("Requests a key may send at once before the rate applies (default: the rate)")
  ),
  fault: Options.choice("fault", Object.keys(faults(0))).pipe(
    Options.repeated,
    Options.withDescription(
      "A fault to inject at random (repeat the flag for several): 429, 5xx, drop, malformed, slow"
    )
  ),
  faultProbability: Options.float("fault-probability").pipe(
    Options.withDefault(0.3),
    Options.withDescription("The share of requests that get one of the --fault kinds")
  ),
  slowMs: Options.integer("slow-ms").pipe(
    Options.withDefault(15_000),
    Options.withDescription("How long a 'slow' fault holds its answer, in milliseconds")
  )
}

/** What the flags ask for, or what is wrong with them. */
export const options = (args: {
  readonly rate: number
  readonly burst: Option.Option<number>
  readonly fault: ReadonlyArray<string>
  readonly faultProbability: number
  readonly slowMs: number
}): Sandbox.Options | string => {
  if (!(args.rate >= 0)) return "--rate must be 0 (no rate limit) or more requests per second"
  const burst = Option.getOrElse(args.burst, () => Math.max(1, Math.ceil(args.rate)))
  if (burst < 1) return "--burst must be 1 or more"
  if (!(args.faultProbability >= 0 && args.faultProbability <= 1)) return "--fault-probability must be from 0 to 1"
  if (args.slowMs < 0) return "--slow-ms must be 0 or more"
  const kinds = faults(args.slowMs)
  return {
    rateLimit: args.rate === 0 ? false : { requestsPerSecond: args.rate, burst },
    ...(args.fault.length === 0 ? {} : {
      faults: { random: { probability: args.faultProbability, kinds: args.fault.map((kind) => kinds[kind]!) } }
    })
  }
}

/** One line saying how the sandbox was shaped. */
export const describe = (
  options: Sandbox.Options,
  args: { readonly fault: ReadonlyArray<string>; readonly faultProbability: number }
): string =>
  [
    options.rateLimit === false
      ? "no rate limit"
      : `rate limit ${options.rateLimit?.requestsPerSecond}/s per key (burst ${options.rateLimit?.burst})`,
    args.fault.length === 0
      ? "no faults"
      : `faults ${args.fault.join(", ")} on ${Math.round(args.faultProbability * 100)}% of requests`
  ].join(", ")
