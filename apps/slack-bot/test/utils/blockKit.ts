/**
 * An independent check of Slack's Block Kit limits (api.slack.com/reference/block-kit), written from Slack's
 * reference rather than from the app's code, so a reply the app thinks fits is checked again.
 */
import { expect } from "vitest"

const within = (problems: Array<string>, what: string, text: unknown, max: number) => {
  if (typeof text !== "string" || text.length === 0) problems.push(`${what} is empty or not text`)
  else if (text.length > max) problems.push(`${what} has ${text.length} characters (limit ${max})`)
}

/** Every limit a message breaks (none for a message Slack accepts). */
export const problemsOf = (message: any): Array<string> => {
  const problems: Array<string> = []
  within(problems, "text", message.text, 40_000)
  if (!Array.isArray(message.blocks) || message.blocks.length > 50) problems.push("blocks: 1 to 50 expected")
  message.blocks.forEach((block: any, i: number) => {
    const at = `blocks[${i}] (${block.type})`
    switch (block.type) {
      case "header":
        within(problems, `${at}.text`, block.text?.text, 150)
        break
      case "section":
        if (block.text !== undefined) within(problems, `${at}.text`, block.text.text, 3_000)
        if (block.fields !== undefined) {
          if (block.fields.length > 10) problems.push(`${at}: more than 10 fields`)
          block.fields.forEach((field: any, j: number) => within(problems, `${at}.fields[${j}]`, field.text, 2_000))
        }
        break
      case "context":
        if (block.elements.length > 10) problems.push(`${at}: more than 10 elements`)
        block.elements.forEach((e: any, j: number) => within(problems, `${at}.elements[${j}]`, e.text, 3_000))
        break
      case "actions":
        if (block.elements.length === 0 || block.elements.length > 25) problems.push(`${at}: 1 to 25 elements`)
        block.elements.forEach((button: any, j: number) => {
          within(problems, `${at}.elements[${j}].text`, button.text?.text, 75)
          within(problems, `${at}.elements[${j}].url`, button.url, 3_000)
          within(problems, `${at}.elements[${j}].action_id`, button.action_id, 255)
          if (button.style !== undefined && !["primary", "danger"].includes(button.style)) {
            problems.push(`${at}.elements[${j}].style is not a style`)
          }
        })
        break
      default:
        problems.push(`${at}: unknown block type`)
    }
  })
  return problems
}

/** Fails, listing what is over, unless Slack would accept the message. */
export const expectWithinLimits = (message: unknown): void => expect(problemsOf(message)).toEqual([])
