/**
 * Pieces for reading settings from environment variables through Effect's `Config`, shared by `HeroConfig` and
 * the apps built on it (the Slack app's `SLACK_*` settings), so every setting follows the same rules: empty counts
 * as unset, no message repeats a value (it may be a secret), every problem is reported at once, each naming its
 * variable, and one rule decides which URLs may receive a secret.
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import type * as ConfigProvider from "effect/ConfigProvider"
import type * as Either from "effect/Either"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/config.js"

/**
 * A variable read as trimmed text; empty counts as unset.
 *
 * @since 0.1.0
 * @category constructors
 */
export const text: (name: string) => Config.Config<Option.Option<string>> = internal.text

/**
 * A secret, held as `Redacted`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const secret: (name: string) => Config.Config<Option.Option<Redacted.Redacted<string>>> = internal.secret

/**
 * A variable that must be set: `required("SLACK_SIGNING_SECRET", EnvConfig.secret, "copy it from ...")`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const required: <A>(
  name: string,
  config: (name: string) => Config.Config<Option.Option<A>>,
  hint: string
) => Config.Config<A> = internal.required

/**
 * Text parsed by `parse` (which says what the value must be when it cannot read it), else `fallback` when unset.
 *
 * @since 0.1.0
 * @category combinators
 */
export const parsed: <A, B = A>(
  name: string,
  parse: (value: string) => Either.Either<A, string>,
  fallback: B
) => Config.Config<A | B> = internal.parsed

/**
 * A whole number within bounds, else `fallback` when unset.
 *
 * @since 0.1.0
 * @category constructors
 */
export const wholeNumber: <B>(
  name: string,
  options: { readonly min: number; readonly max: number; readonly fallback: B }
) => Config.Config<number | B> = internal.wholeNumber

/**
 * The one rule for a URL that will receive a secret: absolute, `https:` unless its host is loopback (127.0.0.1,
 * ::1, localhost), with no credentials, query or fragment. Gives it without a trailing slash, or what is wrong.
 *
 * @since 0.1.0
 * @category parsing
 */
export const secureUrl: (value: string) => Either.Either<string, string> = internal.secureUrl

/**
 * A provider over a record of variables (`process.env`, a Worker's `env`, `Deno.env.toObject()`): strings as they
 * are, numbers and booleans as text, anything else (KV namespaces, service bindings) ignored.
 *
 * @since 0.1.0
 * @category providers
 */
export const fromRecord: (record: object) => ConfigProvider.ConfigProvider = internal.fromRecord
