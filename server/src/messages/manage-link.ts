/**
 * Stands in a queued text for the subscriber's "change topics" link, whose signed token must
 * not sit in a Redis job payload; the message worker puts the link in when it sends.
 */
export const MANAGE_URL_PLACEHOLDER = '{{town-crier:manage-url}}';

export function withManageUrl(text: string, manageUrl: () => string): string {
  return text.includes(MANAGE_URL_PLACEHOLDER) ? text.split(MANAGE_URL_PLACEHOLDER).join(manageUrl()) : text;
}
