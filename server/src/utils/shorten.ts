/**
 * Shortens a text to at most `max` UTF-16 code units, ending in "…". It never ends between the
 * two halves of a surrogate pair (an emoji, many CJK characters): a lone half is not valid
 * Unicode, and Telegram refuses the message or shows a replacement character.
 */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end).trimEnd()}…`;
}
