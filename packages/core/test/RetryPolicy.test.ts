import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import * as HeroError from "../src/HeroError.js"
import * as RetryPolicy from "../src/RetryPolicy.js"

const headers = (values: Record<string, string>) => (name: string) => values[name]
const now = Date.parse("2026-11-24T10:00:00Z")
const fields = { attempts: 1 }

describe("RetryPolicy", () => {
  describe("parseRetryAfter", () => {
    it("reads delta-seconds", () => {
      expect(RetryPolicy.parseRetryAfter(headers({ "retry-after": "3" }), now)).toEqual(Option.some(3_000))
      expect(RetryPolicy.parseRetryAfter(headers({ "retry-after": "0" }), now)).toEqual(Option.some(0))
    })

    it("reads an HTTP-date relative to now, never negative", () => {
      const read = (date: string) => RetryPolicy.parseRetryAfter(headers({ "retry-after": date }), now)
      expect(read("Tue, 24 Nov 2026 10:00:07 GMT")).toEqual(Option.some(7_000))
      expect(read("Tue, 24 Nov 2026 09:59:00 GMT")).toEqual(Option.some(0))
    })

    it("prefers retry-after-ms, rounding up", () => {
      expect(RetryPolicy.parseRetryAfter(headers({ "retry-after-ms": "1.5", "retry-after": "9" }), now)).toEqual(
        Option.some(2)
      )
    })

    it("ignores what it cannot read", () => {
      for (const value of ["", "soon", "-1", "1.5", "1e3", "2026-11-24", "Someday"]) {
        expect(RetryPolicy.parseRetryAfter(headers({ "retry-after": value }), now)).toEqual(Option.none())
      }
      expect(RetryPolicy.parseRetryAfter(headers({ "retry-after-ms": "x", "retry-after": "2" }), now)).toEqual(
        Option.some(2_000)
      )
      expect(RetryPolicy.parseRetryAfter(headers({}), now)).toEqual(Option.none())
    })

    it.prop("never throws and never returns a negative wait", [
      FastCheck.dictionary(FastCheck.constantFrom("retry-after", "retry-after-ms"), FastCheck.string())
    ], ([values]) => {
      const result = RetryPolicy.parseRetryAfter(headers(values), now)
      if (Option.isSome(result)) expect(result.value).toBeGreaterThanOrEqual(0)
    })
  })

  describe("shouldRetry", () => {
    const policy = RetryPolicy.defaults
    it("retries only 429, 408-as-timeout, 500, 502, 503, 504 and transport failures", () => {
      const cases: ReadonlyArray<[HeroError.HeroError, boolean]> = [
        [new HeroError.RateLimited({ ...fields, status: 429 }), true],
        [new HeroError.ServerError({ ...fields, status: 500 }), true],
        [new HeroError.ServerError({ ...fields, status: 502 }), true],
        [new HeroError.ServerError({ ...fields, status: 503 }), true],
        [new HeroError.ServerError({ ...fields, status: 504 }), true],
        [new HeroError.ServerError({ ...fields, status: 501 }), false],
        [new HeroError.TransportError({ ...fields, reason: "Timeout" }), true],
        [new HeroError.TransportError({ ...fields, reason: "Network" }), true],
        [new HeroError.BadRequest({ ...fields, status: 400, issues: [] }), false],
        [new HeroError.Unauthorized({ ...fields, status: 401 }), false],
        [new HeroError.Forbidden({ ...fields, status: 403 }), false],
        [new HeroError.PatientNotFound({ ...fields, status: 404 }), false],
        [new HeroError.UnexpectedResponse({ ...fields, status: 200, reason: "x" }), false],
        [new HeroError.InvalidInput({ issues: [] }), false]
      ]
      for (const [error, retried] of cases) expect(RetryPolicy.shouldRetry(policy, error, 0)).toBe(retried)
    })

    it("stops after maxRetries and at a hint above the cap", () => {
      const limited = new HeroError.RateLimited({ ...fields, status: 429 })
      expect(RetryPolicy.shouldRetry(policy, limited, 2)).toBe(true)
      expect(RetryPolicy.shouldRetry(policy, limited, 3)).toBe(false)
      const hinted = (retryAfter: number) => new HeroError.RateLimited({ ...fields, status: 429, retryAfter })
      expect(RetryPolicy.shouldRetry(policy, hinted(60_000), 0)).toBe(true)
      expect(RetryPolicy.shouldRetry(policy, hinted(60_001), 0)).toBe(false)
    })
  })

  it("backs off from 500 ms, doubling, capped at 8 s", () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((retry) => Duration.toMillis(RetryPolicy.backoff(RetryPolicy.defaults, retry))))
      .toEqual([500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000])
  })
})
