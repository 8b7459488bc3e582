/**
 * Slack's Block Kit limits, and the one place every outgoing message is made to fit them. Slack refuses a whole
 * message when any field is over its limit, so values that come from Hero are cut here rather than sent.
 */
import type * as SlackReply from "../SlackReply.js"

/** The limits this app's blocks are subject to (api.slack.com/reference/block-kit). */
export const limits = {
  /** Top-level notification `text` (Slack truncates past 40,000; keep it short). */
  text: 3_000,
  blocks: 50,
  headerText: 150,
  sectionText: 3_000,
  sectionFields: 10,
  fieldText: 2_000,
  contextElements: 10,
  contextText: 3_000,
  actionsElements: 25,
  buttonText: 75,
  buttonUrl: 3_000,
  actionId: 255
} as const

/** Cuts `text` to at most `max` UTF-16 units, ending with an ellipsis when cut and never splitting a pair. */
export const truncate = (text: string, max: number): string => {
  if (text.length <= max) return text
  let end = max - 1
  const code = text.charCodeAt(end - 1)
  if (code >= 0xd800 && code <= 0xdbff) end--
  return `${text.slice(0, end)}…`
}

const fitText = <T extends { readonly text: string }>(element: T, max: number): T =>
  element.text.length <= max ? element : { ...element, text: truncate(element.text, max) }

/** Whether a URL can go in a button: http(s), within the limit. */
export const isButtonUrl = (url: string): boolean =>
  url.length <= limits.buttonUrl && URL.canParse(url) && /^https?:$/.test(new URL(url).protocol)

const fitBlock = (block: SlackReply.Block): SlackReply.Block | undefined => {
  switch (block.type) {
    case "header":
      return { ...block, text: fitText(block.text, limits.headerText) }
    case "section":
      return "fields" in block
        ? { ...block, fields: block.fields.slice(0, limits.sectionFields).map((f) => fitText(f, limits.fieldText)) }
        : { ...block, text: fitText(block.text, limits.sectionText) }
    case "context":
      return {
        ...block,
        elements: block.elements.slice(0, limits.contextElements).map((e) => fitText(e, limits.contextText))
      }
    case "actions": {
      const elements = block.elements
        .filter((button) => isButtonUrl(button.url))
        .slice(0, limits.actionsElements)
        .map((button) => ({
          ...button,
          text: fitText(button.text, limits.buttonText),
          action_id: truncate(button.action_id, limits.actionId)
        }))
      return elements.length === 0 ? undefined : { ...block, elements }
    }
  }
}

/** The message within every limit: long texts cut with an ellipsis, unusable buttons (and empty blocks) dropped. */
export const fit = <M extends SlackReply.Message>(message: M): M => ({
  ...message,
  text: truncate(message.text, limits.text),
  blocks: message.blocks.flatMap((block) => fitBlock(block) ?? []).slice(0, limits.blocks)
})
