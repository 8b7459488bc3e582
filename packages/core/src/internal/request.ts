import * as Either from "effect/Either"
import * as DateOfBirth from "../DateOfBirth.js"
import type * as HeroError from "../HeroError.js"
import * as NhsNumber from "../NhsNumber.js"
import * as RegisterPds from "../RegisterPds.js"

/**
 * The common input, `{ nhsNumber, dob }` and both valid, checked with the very predicates its schemas are built from
 * (`NhsNumber.problemOf`, `DateOfBirth.isValid`) instead of running the schema; anything else (a problem to report,
 * demographics, EHR fields) goes through `RegisterPds.decodeInput`. A property test holds the two equal.
 */
export const decodeInput = (input: RegisterPds.Input): Either.Either<RegisterPds.Request, HeroError.InvalidInput> => {
  if (typeof input === "object" && input !== null && !("ehrPartner" in input) && !("ehrPartnerId" in input)) {
    const { dob, nhsNumber } = input as { readonly nhsNumber?: unknown; readonly dob?: unknown }
    if (typeof nhsNumber === "string" && typeof dob === "string") {
      const digits = NhsNumber.normalize(nhsNumber)
      if (NhsNumber.problemOf(digits) === undefined && DateOfBirth.isValid(dob)) {
        return Either.right({ nhsNumber: digits, dob } as RegisterPds.Request)
      }
    }
  }
  return RegisterPds.decodeInput(input)
}

/** The snake_case body of a validated request (its variant's fields, no schema). */
export const wireOf: (request: RegisterPds.Request) => RegisterPds.WireRequest = RegisterPds.toWire
