/**
 * Boots the real Strapi test app once per test file, with its own database (a temp SQLite
 * file, or a fresh PostgreSQL database when DATABASE_URL is set) and its own Redis key
 * prefix, so test files cannot see each other's data or jobs.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Core } from '@strapi/strapi';
import supertest from 'supertest';
import { Client } from 'pg';

const APP_DIR = path.resolve(__dirname, '../app');

// Strapi is loaded through its CommonJS build, as a Strapi app loads it; its ESM build
// cannot be imported by vitest's module runner (directory imports of lodash/fp).
const requireCjs = createRequire(__filename);
const { createStrapi } = requireCjs('@strapi/strapi') as typeof import('@strapi/strapi');

export interface TestStrapi {
  strapi: Core.Strapi;
  request: ReturnType<typeof supertest>;
  /** The Redis key prefix of this boot. */
  prefix: string;
  dialect: 'sqlite' | 'postgres';
  database: TestDatabase;
  close(): Promise<void>;
}

export interface BootOptions {
  /** Plugin config; merged over the test defaults below. */
  pluginConfig?: Record<string, unknown>;
  /** Sees every warning and error logged from the very start (startup warnings included). */
  onLog?: (level: 'warn' | 'error', message: string) => void;
  /** `close()` leaves the database for a later boot (a restart); drop it with `database.drop()`. */
  keepDatabase?: boolean;
  /** Boots on the database an earlier boot kept: the same data, as after a restart or an upgrade. */
  database?: TestDatabase;
}

/** The database of one boot: a SQLite file, or a PostgreSQL database. */
export interface TestDatabase {
  sqliteFile?: string;
  url?: string;
  drop(): Promise<void>;
}

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export const testArticleMapping = {
  'api::article.article': {
    title: 'title',
    text: 'summary',
    url: 'https://musterstadt.de/news/{slug}',
    topics: 'topic',
    urgency: 'urgency',
    skip: 'silent',
  },
};

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = result[key];
    result[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' && !Array.isArray(current)
        ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return result;
}

async function preparePostgres(url: string) {
  const name = `town_crier_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    async drop() {
      const client = new Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function bootStrapi(options: BootOptions = {}): Promise<TestStrapi> {
  const prefix = `tc-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  const databaseUrl = process.env.DATABASE_URL;
  const pg = options.database ? null : databaseUrl ? await preparePostgres(databaseUrl) : null;
  const sqliteDir = pg || options.database ? null : mkdtempSync(path.join(tmpdir(), 'town-crier-test-'));
  const database: TestDatabase = options.database ?? {
    ...(pg ? { url: pg.url } : { sqliteFile: path.join(sqliteDir as string, 'data.db') }),
    drop: async () => {
      if (pg) await pg.drop();
      if (sqliteDir) rmSync(sqliteDir, { recursive: true, force: true });
    },
  };

  const pluginConfig = deepMerge(
    {
      redis: { url: REDIS_URL, prefix },
      publicUrl: 'http://127.0.0.1:1337',
      contentTypes: testArticleMapping,
      broadcast: { quietHours: { enabled: false }, reconcileEverySeconds: 3600 },
      channels: { whatsapp: { businessNumber: '+49 4525 12345' } },
    },
    options.pluginConfig ?? {}
  );

  process.env.STRAPI_TELEMETRY_DISABLED = 'true';
  process.env.TOWN_CRIER_TEST_PLUGIN_CONFIG = JSON.stringify(pluginConfig);
  if (database.url) {
    process.env.TOWN_CRIER_TEST_DATABASE_URL = database.url;
    delete process.env.TOWN_CRIER_TEST_SQLITE_FILE;
  } else {
    delete process.env.TOWN_CRIER_TEST_DATABASE_URL;
    process.env.TOWN_CRIER_TEST_SQLITE_FILE = database.sqliteFile;
  }

  const runnerListeners = snapshotProcessListeners();
  const strapi = createStrapi({ appDir: APP_DIR, distDir: APP_DIR });
  strapi.log.level = process.env.TOWN_CRIER_TEST_LOG ?? 'error';
  const { onLog } = options;
  if (onLog) {
    for (const level of ['warn', 'error'] as const) {
      const original = strapi.log[level].bind(strapi.log);
      (strapi.log as unknown as Record<string, (message: string) => void>)[level] = (message: string) => {
        onLog(level, String(message));
        original(message);
      };
    }
  }
  await strapi.load();
  await strapi.server.mount();

  return {
    strapi,
    request: supertest(strapi.server.httpServer),
    prefix,
    dialect: database.url ? 'postgres' : 'sqlite',
    database,
    async close() {
      const runtime = strapi.plugin('town-crier').service('runtime') as { queue(): { obliterate(): Promise<void> }; limits(): { obliterate(): Promise<void> } };
      await runtime.queue().obliterate().catch(() => undefined);
      await runtime.limits().obliterate().catch(() => undefined);
      await destroyKeepingListeners(strapi, runnerListeners);
      if (!options.keepDatabase && !options.database) await database.drop();
    },
  };
}

/**
 * Strapi's destroy() calls process.removeAllListeners(), which would also remove the test
 * runner's own IPC listeners and break the worker; they are put back afterwards.
 */
function snapshotProcessListeners() {
  return process.eventNames().map((event) => [event, process.rawListeners(event as string)] as const);
}

async function destroyKeepingListeners(strapi: Core.Strapi, saved: ReturnType<typeof snapshotProcessListeners>) {
  await strapi.destroy();
  for (const [event, listeners] of saved) {
    const current = process.rawListeners(event as string);
    for (const listener of listeners) {
      if (!current.includes(listener)) process.on(event as string, listener as (...args: unknown[]) => void);
    }
  }
}

/** Polls `check` until it returns a truthy value; the suite never sleeps for a fixed time. */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, { timeoutMs = 15_000, intervalMs = 50 } = {}): Promise<T> {
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${(lastError as Error).message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Registers the first admin (Super Admin) and answers a bearer token for admin routes. */
export async function createSuperAdmin(test: TestStrapi): Promise<string> {
  const response = await test.request.post('/admin/register-admin').send({
    email: 'admin@musterstadt.test',
    firstname: 'Ada',
    lastname: 'Admin',
    password: 'Test-Password-1234',
  });
  if (response.status !== 200) throw new Error(`register-admin answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.data.token as string;
}

/**
 * Boots the test app with a config that must stop startup, and answers the error Strapi
 * stopped with. A temp SQLite file: a refused config never gets as far as the database.
 */
export async function startupError(pluginConfig: Record<string, unknown>): Promise<Error> {
  const sqliteDir = mkdtempSync(path.join(tmpdir(), 'town-crier-test-'));
  process.env.STRAPI_TELEMETRY_DISABLED = 'true';
  process.env.TOWN_CRIER_TEST_PLUGIN_CONFIG = JSON.stringify(
    deepMerge({ redis: { url: REDIS_URL, prefix: `tc-test-${process.pid}-refused` }, contentTypes: testArticleMapping, broadcast: { quietHours: { enabled: false } } }, pluginConfig)
  );
  delete process.env.TOWN_CRIER_TEST_DATABASE_URL;
  process.env.TOWN_CRIER_TEST_SQLITE_FILE = path.join(sqliteDir, 'data.db');
  const runnerListeners = snapshotProcessListeners();
  const strapi = createStrapi({ appDir: APP_DIR, distDir: APP_DIR });
  strapi.log.level = 'silent' as never;
  let failure: Error | undefined;
  try {
    await strapi.load();
  } catch (error) {
    failure = error as Error;
  }
  // A config refused while plugins load stops Strapi before any module registered, and it
  // has nothing to close (destroying then fails on modules that never started).
  if (!failure || strapi.isLoaded || !/^Error regarding /.test(failure.message)) await destroyKeepingListeners(strapi, runnerListeners);
  else removeListenersAddedSince(runnerListeners);
  rmSync(sqliteDir, { recursive: true, force: true });
  if (!failure) throw new Error('Strapi started although the config should have stopped it');
  return failure;
}

/** Takes off the process listeners Strapi added (its SIGTERM handler would destroy a half-started Strapi later). */
function removeListenersAddedSince(saved: ReturnType<typeof snapshotProcessListeners>) {
  const before = new Map<string | symbol, readonly unknown[]>(saved);
  for (const event of process.eventNames()) {
    for (const listener of process.rawListeners(event as string)) {
      if (!before.get(event)?.includes(listener)) process.removeListener(event as string, listener as (...args: unknown[]) => void);
    }
  }
}
