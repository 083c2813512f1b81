import { z } from 'zod';
import { strict } from '../config/strict';

// The hashtags of both account channels (Mastodon, Bluesky): one shape, added to posts by ./account-post.ts.

/** Hashtags without `#`: letters (umlauts too), digits and `_`, as Mastodon and Bluesky link them. */
const hashtag = z.string().regex(/^[\p{L}\p{N}_]+$/u, 'letters, digits and _ only, without #').max(60);
export const hashtagsSchema = strict
  .object({
    /** Always added, e.g. `['Musterstadt']`. */
    always: z.array(hashtag).max(10).default([]),
    /** Per topic slug, e.g. `{ verkehr: ['Verkehr', 'Baustelle'] }`. */
    byTopic: z.record(z.string(), z.array(hashtag).max(5)).default({}),
    /** Per village slug, e.g. `{ 'gross-parin': ['GroßParin'] }`. */
    byVillage: z.record(z.string(), z.array(hashtag).max(5)).default({}),
  })
  .prefault({});
export type HashtagConfig = z.infer<typeof hashtagsSchema>;
