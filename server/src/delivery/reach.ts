/**
 * The daily reach window (WhatsApp: distinct citizens reached by business-initiated messages in
 * any rolling 24 hours) is one Redis sorted set per channel, whose members are subscriber ids.
 * Every message that uses reach (announcements, confirmation templates) counts the same member,
 * so one citizen is one slot whatever they were sent.
 */
export const reachWindowKey = (channelId: string) => `reach:${channelId}`;
export const reachMember = (subscriberId: number) => String(subscriberId);
/** The rolling reach window's length (24 hours unless a test accelerates it). */
export const reachWindowMs = (config: { broadcast: { reachWindowSeconds: number } }) => config.broadcast.reachWindowSeconds * 1000;
/** A booked slot whose delivery has not come this long after its time was abandoned (a cancel); the slot is free again. */
export const BOOKING_GRACE_MS = 10 * 60_000;
