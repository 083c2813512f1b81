/**
 * The daily reach window (WhatsApp: distinct citizens reached by business-initiated messages in
 * any rolling 24 hours) is one Redis sorted set per channel, whose members are subscriber ids.
 * Every message that uses reach (announcements, confirmation templates) counts the same member,
 * so one citizen is one slot whatever they were sent.
 */
export const reachWindowKey = (channelId: string) => `reach:${channelId}`;
export const reachMember = (subscriberId: number) => String(subscriberId);
