import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import errorAnswers from '../../server/src/middlewares/error-answers';
import { notFoundError, rateLimitError, unauthorizedError, validationError, type TownCrierHttpError } from '../../server/src/http/errors';

const requireCjs = createRequire(__filename);
/** Strapi's own formatter for errors its error middleware does not recognise (the fallback path). */
const { formatInternalError } = requireCjs(path.join(path.dirname(requireCjs.resolve('@strapi/core')), 'services/errors.js')) as {
  formatInternalError(error: unknown): { status: number; body: unknown };
};

type Ctx = { status: number; body: unknown };
const run = async (thrown: unknown) => {
  const ctx: Ctx = { status: 404, body: undefined };
  await errorAnswers()(ctx as never, async () => {
    throw thrown;
  });
  return ctx;
};

describe('error answers', () => {
  it('writes the plugin’s errors in Strapi’s error shape, whatever @strapi/utils is installed', async () => {
    const details = { errors: [{ path: ['address'], message: 'not a phone number', name: 'ValidationError' }] };
    expect(await run(validationError('address: not a phone number', details))).toEqual({
      status: 400,
      body: { data: null, error: { status: 400, name: 'ValidationError', message: 'address: not a phone number', details } },
    });
    expect(await run(unauthorizedError('Missing or invalid webhook signature'))).toMatchObject({ status: 401, body: { error: { name: 'UnauthorizedError', details: {} } } });
    expect(await run(rateLimitError('Too many', { retryAfterSeconds: 60 }))).toMatchObject({ status: 429, body: { error: { name: 'RateLimitError', details: { retryAfterSeconds: 60 } } } });
  });

  it('leaves every other error to Strapi', async () => {
    const other = new Error('database down');
    await expect(run(other)).rejects.toBe(other);
  });

  it('keeps its status when it escapes the plugin’s routes: Strapi’s fallback formatter reads status and expose', () => {
    const error: TownCrierHttpError = notFoundError('No such subscriber');
    expect(formatInternalError(error)).toEqual({
      status: 404,
      body: { data: null, error: { status: 404, name: 'NotFoundError', message: 'No such subscriber', details: {} } },
    });
  });
});

describe('server code', () => {
  it('imports nothing from @strapi/utils: its error classes are only recognised when npm installed Strapi’s own copy', () => {
    const root = path.resolve(__dirname, '../../server/src');
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((file) => file.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(50);
    const importing = files.filter((file) => /from ['"]@strapi\/utils['"]|require\(['"]@strapi\/utils['"]\)/.test(readFileSync(path.join(root, file), 'utf8')));
    expect(importing).toEqual([]);
  });
});
