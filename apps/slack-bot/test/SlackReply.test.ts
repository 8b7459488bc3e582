import * as RegisterPds from "@hero-pds/core/RegisterPds"
import { describe, expect, it } from "vitest"
import * as SlackReply from "../src/SlackReply.js"
import { expectWithinLimits } from "./utils/blockKit.js"

const masked = "*** *** 0009"

describe("SlackReply", () => {
  it("keeps a 5,000-character patient id with a backtick within Block Kit's limits, in its code span", () => {
    const patientId = `${"9".repeat(20)}\`*bold* <!channel>${"x".repeat(5_000)}`
    const reply = SlackReply.registered(masked, new RegisterPds.Registered({ patientId }), "REF0000001")
    expectWithinLimits(reply)
    const json = JSON.stringify(reply)
    expect(json).not.toContain("<!channel>")
    const fields = reply.blocks.find((block) => "fields" in block) as { fields: ReadonlyArray<{ text: string }> }
    // One code span, nothing breaking out of it.
    expect(fields.fields[1]!.text).toMatch(/^\*Hero patient id\*\n`[A-Za-z0-9._:?-]+…?`$/)
    expect(json).toContain("cannot show exactly")
  })

  it("shows a well-formed patient id exactly", () => {
    const reply = SlackReply.registered(masked, new RegisterPds.Registered({ patientId: "98765" }), "REF0000001")
    expect(JSON.stringify(reply)).toContain("`98765`")
    expect(JSON.stringify(reply)).not.toContain("cannot show exactly")
  })

  it("cuts a 3,030-character verification link in the text and leaves the button out, escaping mrkdwn", () => {
    const loginUrl = `https://verify.example/<b>&${"a".repeat(3_000)}`
    const reply = SlackReply.verificationRequired(
      masked,
      new RegisterPds.VerificationRequired({ message: "verify", loginUrl }),
      "REF0000001"
    )
    expectWithinLimits(reply)
    expect(reply.blocks.some((block) => block.type === "actions")).toBe(false)
    expect(JSON.stringify(reply)).toContain("&lt;b&gt;&amp;")
  })

  it("offers the patient's link as a plain button that says it is for the patient", () => {
    const reply = SlackReply.verificationRequired(
      masked,
      new RegisterPds.VerificationRequired({ message: "verify", loginUrl: "https://verify.example/abc" }),
      "REF0000001"
    )
    expectWithinLimits(reply)
    const actions = reply.blocks.find((block) => block.type === "actions") as { elements: ReadonlyArray<any> }
    expect(actions.elements[0]).toMatchObject({
      url: "https://verify.example/abc",
      action_id: "open_verification_link"
    })
    expect(actions.elements[0].style).toBeUndefined()
    expect(actions.elements[0].text.text).toMatch(/patient/i)
    expect(JSON.stringify(reply)).toContain("it is for them to open, not you")
  })

  it("refuses a link that is not http(s) as a button", () => {
    const reply = SlackReply.verificationRequired(
      masked,
      new RegisterPds.VerificationRequired({ message: "verify", loginUrl: "javascript:alert(1)" }),
      "REF0000001"
    )
    expect(reply.blocks.some((block) => block.type === "actions")).toBe(false)
  })

  it("says plainly when Hero did not answer in time, and that trying again is safe", () => {
    for (const reply of [SlackReply.deadlineExceeded(masked, "REF0000001"), SlackReply.stopped(masked, "REF0000001")]) {
      expectWithinLimits(reply)
      expect(JSON.stringify(reply)).toContain("Trying again is safe")
    }
    expect(SlackReply.deadlineExceeded(masked, "REF0000001").text).toBe("Hero did not answer in time (*** *** 0009)")
  })
})
