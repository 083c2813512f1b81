import { z } from 'zod';
import { FOLLOW_UP_KINDS } from '../constants';
import { dateColumn, nullableDateColumn, parserOf } from '../database/row';

/**
 * The announcement columns the feed reads, parsed (database/row.ts). Only these: the feed is
 * built from public announcement fields and must not come to carry anything else.
 */
const original = z.object({ documentId: z.string(), title: z.string(), url: z.string().nullable() });
export const feedOriginalFromRow = parserOf('announcement', original);

export const feedAnnouncementFromRow = parserOf(
  'announcement',
  original.extend({
    text: z.string(),
    publishedAt: dateColumn,
    sendAt: nullableDateColumn,
    topics: z.array(z.object({ name: z.string() })).default([]),
    updateOf: z.string().nullable(),
    followUpKind: z.enum(FOLLOW_UP_KINDS).nullable(),
  })
);
export type FeedAnnouncement = ReturnType<typeof feedAnnouncementFromRow>;
