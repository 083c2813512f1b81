import type { FakeCloudApi } from './fake-whatsapp-cloud-api';

/**
 * Announcement messages the fake took, per recipient's digits: template sends whose body
 * carries `title` and that the fake answered with 200. A request answered with an error was
 * refused, so it is not a message the citizen got.
 */
export function receivedPerRecipient(fake: FakeCloudApi, title: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of fake.requests) {
    const body = request.body as { type?: string; to?: string } | undefined;
    if (body?.type !== 'template' || request.response?.status !== 200 || !request.rawBody.includes(title)) continue;
    const digits = String(body.to).replace(/\D/g, '');
    counts.set(digits, (counts.get(digits) ?? 0) + 1);
  }
  return counts;
}

export const digitsOf = (e164: string) => e164.replace(/\D/g, '');

/**
 * The exactly-once check of the crash and fault tests: every active subscriber got the
 * announcement once, nobody else got it, and the recipients who got it twice are listed (the
 * caller bounds them by the in-flight window of its fault).
 */
export function checkExactlyOnce(fake: FakeCloudApi, title: string, active: string[], others: string[]) {
  const counts = receivedPerRecipient(fake, title);
  const activeDigits = active.map(digitsOf);
  return {
    missing: activeDigits.filter((digits) => !counts.has(digits)),
    duplicated: activeDigits.filter((digits) => (counts.get(digits) ?? 0) > 1),
    moreThanTwice: activeDigits.filter((digits) => (counts.get(digits) ?? 0) > 2),
    toOthers: others.map(digitsOf).filter((digits) => counts.has(digits)),
    strangers: [...counts.keys()].filter((digits) => !activeDigits.includes(digits) && !others.map(digitsOf).includes(digits)),
    total: [...counts.values()].reduce((sum, n) => sum + n, 0),
  };
}
