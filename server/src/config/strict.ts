import { z } from 'zod';
import { unknownKeysMessage } from './unknown-keys';

/**
 * Every object of the config refuses keys it does not know: a typo must stop startup, not
 * silently drop an option (`skipp: 'nicht_senden'` would send "do not send" news to everyone).
 */
export const strict = {
  object: <Shape extends z.core.$ZodLooseShape>(shape: Shape) =>
    z.strictObject(shape, {
      error: (issue) => (issue.code === 'unrecognized_keys' ? unknownKeysMessage(issue.keys, Object.keys(shape)) : undefined),
    }),
};
