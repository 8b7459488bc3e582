/**
 * Which Hero practice a command reaches, and the Hero client that reaches it: one client per practice group and
 * API key (places mapped to the same practice share it, with its rate limit and cooldown). With `SLACK_PRACTICES`,
 * a channel's entry wins over its team's and a command from an unmapped place reaches nobody; without it, every
 * command reaches the one practice of `HERO_API_KEY` / `HERO_PRACTICE_GROUP_ID`.
 *
 * @since 0.1.0
 */
import * as HeroClient from "@hero-pds/core/HeroClient"
import type * as HeroConfig from "@hero-pds/core/HeroConfig"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as SlackConfig from "./SlackConfig.js"

/**
 * A practice: its group id (for the audit) and its Hero client.
 *
 * @since 0.1.0
 * @category models
 */
export interface Practice {
  readonly practiceGroupId: string
  readonly hero: HeroClient.Service
}

/**
 * Finds the practice of a place.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The practice of a command from `team` in `channel`, or `undefined` when the place is not mapped. */
  readonly lookup: (place: { readonly team: string; readonly channel: string }) => Practice | undefined
}

/**
 * The practices service.
 *
 * @since 0.1.0
 * @category tags
 */
export class SlackPractices extends Context.Tag("@hero-pds/slack-bot/SlackPractices")<SlackPractices, Service>() {}

/**
 * How a Hero client is made for a configuration: over undici on Node, over `fetch` on Workers.
 *
 * @since 0.1.0
 * @category models
 */
export type ClientLayer = (config: HeroConfig.Service) => Layer.Layer<HeroClient.HeroClient>

/**
 * The way Hero clients are made.
 *
 * @since 0.1.0
 * @category tags
 */
export class ClientFactory extends Context.Tag("@hero-pds/slack-bot/SlackPractices/ClientFactory")<
  ClientFactory,
  ClientLayer
>() {}

/**
 * The practices of the configuration, each client built once for the lifetime of the layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<SlackPractices, never, SlackConfig.SlackConfig | ClientFactory> = Layer.scoped(
  SlackPractices,
  Effect.gen(function*() {
    const config = yield* SlackConfig.SlackConfig
    const clientLayer = yield* ClientFactory
    const built = new Map<HeroConfig.Service, Practice>()
    const practiceOf = Effect.fnUntraced(function*(hero: HeroConfig.Service) {
      const existing = built.get(hero)
      if (existing !== undefined) return existing
      // Hero's own call deadline is the command's budget for Hero: attempts, waits and cooldown all end by then.
      const context = yield* Layer.build(clientLayer({ ...hero, deadline: SlackConfig.heroBudget(config.deadline) }))
      const practice: Practice = {
        practiceGroupId: hero.practiceGroupId,
        hero: Context.get(context, HeroClient.HeroClient)
      }
      built.set(hero, practice)
      return practice
    })
    const { practices } = config
    if (practices._tag === "Single") {
      const only = yield* practiceOf(practices.hero)
      return { lookup: () => only }
    }
    const places = new Map<string, Practice>()
    for (const [place, hero] of practices.places) places.set(place, yield* practiceOf(hero))
    return { lookup: ({ channel, team }) => places.get(channel) ?? places.get(team) }
  })
)
