/**
 * UK postcodes, normalised to upper case with one space before the inward code (`LS1 6AE`).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const shape = /^([A-Z]{1,2}\d[A-Z\d]?|GIR) ?(\d[A-Z]{2})$/

/**
 * The message given for an invalid postcode. It never repeats the input.
 *
 * @since 0.1.0
 */
export const invalidMessage = "must be a UK postcode (for example LS1 6AE)"

/**
 * Normalises a postcode as typed (`ls16ae`, ` LS1  6AE `) to `LS1 6AE`, or `undefined` when it is not one.
 *
 * @since 0.1.0
 */
export const normalize = (input: string): string | undefined => {
  const match = shape.exec(input.replace(/\s+/g, "").toUpperCase())
  return match === null ? undefined : `${match[1]} ${match[2]}`
}

/**
 * A valid UK postcode in its normal form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PostcodeNormal = /* @__PURE__ */ (() =>
  Schema.String.annotations({ message: () => invalidMessage }).pipe(
    Schema.filter((input) => normalize(input) === input),
    Schema.brand("Postcode")
  ))()

/**
 * @since 0.1.0
 * @category models
 */
export type Postcode = typeof PostcodeNormal.Type

/**
 * Decodes a postcode as typed into its normal form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Postcode: Schema.Schema<Postcode, string> =
  /* @__PURE__ */ (() =>
    Schema.transform(Schema.String, PostcodeNormal, {
      strict: true,
      decode: (input) => normalize(input) ?? input,
      encode: (postcode) => postcode
    }).annotations({
      identifier: "Postcode",
      description: "UK postcode",
      message: () => ({ message: invalidMessage, override: true })
    }))()
