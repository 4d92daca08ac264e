/**
 * What the Node worker hands a queue function for a string message: the parsed value when
 * the text is JSON (so the text `42` arrives as a number), else the text itself.
 */
export function toQueueTriggerInput(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
