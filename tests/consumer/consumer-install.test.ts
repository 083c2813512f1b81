/**
 * What a town does: `npm pack` the plugin, install the tarball into its own Strapi 5
 * JavaScript site (generated here, in a temp dir outside the repo, with npm's default
 * behaviour: no pins, no overrides), build the site's admin, start it, and use it over HTTP.
 * Every other test runs inside this repository's install, where `@strapi/*` resolve once;
 * this one sees the layout npm gives a town (e.g. a second `@strapi/utils` copy).
 *
 * Slow (an npm install of Strapi, an admin build): not part of `npm test`; `.ci/run` runs it
 * with `npm run test:consumer`. `TOWN_CRIER_TARBALL=/path/to.tgz` tests a given tarball
 * instead of packing this checkout; `TOWN_CRIER_CONSUMER_KEEP=1` keeps the site for a look.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonReplyWebhook, signedWebhookRequest, startFakeWhatsappCloudApi, type FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { writeHostApp } from './host-app';

const REPO = path.resolve(__dirname, '../..');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const WHATSAPP = {
  accessToken: 'consumer-access-token',
  phoneNumberId: '106540352242922',
  appSecret: 'consumer-app-secret',
  verifyToken: 'consumer-verify-token',
  businessNumber: '+49 4525 12345',
};

/** Runs a command without blocking the test worker (an npm install takes minutes). */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')} failed (${code}):\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`));
    });
  });
}

async function eventually<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${(lastError as Error).message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

/** Every `@strapi/utils` copy npm installed, with its version: the layout this run tested. */
async function utilsCopies(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (modules: string, depth: number): Promise<void> => {
    if (depth > 6 || !existsSync(modules)) return;
    for (const name of await readdir(modules)) {
      if (name.startsWith('.')) continue;
      const scoped = name.startsWith('@') ? (await readdir(path.join(modules, name))).map((inner) => `${name}/${inner}`) : [name];
      for (const pkg of scoped) {
        const pkgDir = path.join(modules, pkg);
        if (pkg === '@strapi/utils') {
          const { version } = JSON.parse(await readFile(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string };
          found.push(`${path.relative(dir, pkgDir)}@${version}`);
        }
        await walk(path.join(pkgDir, 'node_modules'), depth + 1);
      }
    }
  };
  await walk(path.join(dir, 'node_modules'), 0);
  return found;
}

/** `top level 5.55.0; nested: 5.54.0 ×12` */
function describeCopies(copies: string[]): string {
  const top = copies.find((copy) => copy.startsWith('node_modules/@strapi/utils@'))?.split('@').pop() ?? 'none';
  const nested = new Map<string, number>();
  for (const copy of copies.filter((entry) => !entry.startsWith('node_modules/@strapi/utils@'))) {
    const version = copy.split('@').pop() as string;
    nested.set(version, (nested.get(version) ?? 0) + 1);
  }
  return `top level ${top}; nested: ${[...nested].map(([version, count]) => `${version} ×${count}`).join(', ') || 'none'}`;
}

describe('a town installs the packed plugin into its own Strapi 5 JavaScript site', () => {
  let dir: string;
  let packDir: string | undefined;
  let fake: FakeCloudApi;
  let site: ChildProcess;
  let siteLog = '';
  let baseUrl: string;
  let adminToken: string;
  let env: NodeJS.ProcessEnv;
  const prefix = `tc-consumer-${process.pid}-${randomBytes(3).toString('hex')}`;

  const api = async (method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${baseUrl}${urlPath}`, {
      method,
      headers: { ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- answers of several shapes, checked per test
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: response.status, body: json, headers: response.headers };
  };
  const admin = (method: string, urlPath: string, body?: unknown) => api(method, urlPath, body, { authorization: `Bearer ${adminToken}` });
  const webhook = (payload: unknown) => {
    const { rawBody, headers } = signedWebhookRequest(payload, WHATSAPP.appSecret);
    return api('POST', '/api/town-crier/webhooks/whatsapp', rawBody, headers);
  };
  const templatesTo = (digits: string, name: string) =>
    fake.requests.filter((request) => {
      const body = request.body as { to?: string; type?: string; template?: { name: string } } | undefined;
      return body?.to?.replace(/\D/g, '') === digits && body.type === 'template' && body.template?.name === name;
    });
  const announcementsWith = (title: string) =>
    fake.requests.filter((request) => {
      const body = request.body as { template?: { name: string } } | undefined;
      return body?.template?.name === 'gemeinde_nachricht' && request.rawBody.includes(title);
    });

  beforeAll(async () => {
    let tarball = process.env.TOWN_CRIER_TARBALL;
    if (!tarball) {
      if (!existsSync(path.join(REPO, 'dist/server/index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
      packDir = mkdtempSync(path.join(tmpdir(), 'town-crier-pack-'));
      const name = (await run('npm', ['pack', '--silent', '--pack-destination', packDir], REPO)).trim().split('\n').pop() as string;
      tarball = path.join(packDir, name);
    }
    dir = mkdtempSync(path.join(tmpdir(), 'town-crier-consumer-'));
    writeHostApp(dir, `file:${path.resolve(tarball)}`);
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], dir);
    console.log(`[consumer] ${dir} on Node ${process.version}: @strapi/utils ${describeCopies(await utilsCopies(dir))}`);

    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    fake = await startFakeWhatsappCloudApi({ accessToken: WHATSAPP.accessToken, phoneNumberId: WHATSAPP.phoneNumberId });
    env = {
      ...process.env,
      NODE_ENV: 'production',
      STRAPI_TELEMETRY_DISABLED: 'true',
      HOST: '127.0.0.1',
      PORT: String(port),
      APP_KEYS: 'consumer-key-a,consumer-key-b',
      ADMIN_JWT_SECRET: randomBytes(16).toString('hex'),
      API_TOKEN_SALT: randomBytes(16).toString('hex'),
      TRANSFER_TOKEN_SALT: randomBytes(16).toString('hex'),
      ENCRYPTION_KEY: randomBytes(16).toString('hex'),
      JWT_SECRET: randomBytes(16).toString('hex'),
      REDIS_URL,
      TOWN_CRIER_REDIS_PREFIX: prefix,
      WHATSAPP_ACCESS_TOKEN: WHATSAPP.accessToken,
      WHATSAPP_PHONE_NUMBER_ID: WHATSAPP.phoneNumberId,
      WHATSAPP_APP_SECRET: WHATSAPP.appSecret,
      WHATSAPP_VERIFY_TOKEN: WHATSAPP.verifyToken,
      WHATSAPP_BUSINESS_NUMBER: WHATSAPP.businessNumber,
      WHATSAPP_API_URL: fake.baseUrl,
    };
    await run('npx', ['strapi', 'build'], dir, env);

    // Its own process group, so that stopping it stops everything it started.
    site = spawn(path.join(dir, 'node_modules/.bin/strapi'), ['start'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    site.stdout?.on('data', (chunk) => (siteLog += chunk));
    site.stderr?.on('data', (chunk) => (siteLog += chunk));
    const started = await eventually(async () => (site.exitCode !== null ? 'stopped' : (await fetch(`${baseUrl}/_health`)).status === 204 && 'up'), 180_000);
    if (started === 'stopped') throw new Error(`the site stopped (${site.exitCode}):\n${siteLog.slice(-4000)}`);

    const registered = await api('POST', '/admin/register-admin', {
      email: 'redaktion@beispielstadt.test',
      firstname: 'Rita',
      lastname: 'Redaktion',
      password: 'Beispiel-Passwort-2026',
    });
    if (registered.status !== 200) throw new Error(`register-admin answered ${registered.status}: ${JSON.stringify(registered.body)}`);
    adminToken = registered.body.data.token;
  }, 1_500_000);

  const stopSite = async () => {
    if (site?.pid && site.exitCode === null && site.signalCode === null) {
      const group = -site.pid;
      process.kill(group, 'SIGTERM');
      await eventually(async () => site.exitCode !== null || site.signalCode !== null, 30_000).catch(() => process.kill(group, 'SIGKILL'));
    }
  };

  /** Starts the site with its current config, expecting it to stop; answers its exit code and output. */
  const startupRefusal = () =>
    new Promise<{ code: number | null; log: string }>((resolve) => {
      const child = spawn(path.join(dir, 'node_modules/.bin/strapi'), ['start'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let log = '';
      child.stdout.on('data', (chunk) => (log += chunk));
      child.stderr.on('data', (chunk) => (log += chunk));
      const timer = setTimeout(() => process.kill(-(child.pid as number), 'SIGKILL'), 120_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, log });
      });
    });

  afterAll(async () => {
    await stopSite();
    await fake?.close();
    // Asynchronously: a synchronous rm of the site's node_modules (tens of thousands of files) blocks this worker's
    // event loop, on a loaded machine for over a minute, and vitest's worker→runner RPC (onTaskUpdate) then hits
    // its fixed 60 s timeout, failing a run whose tests all passed. Likewise every long step here is awaited.
    if (dir && !process.env.TOWN_CRIER_CONSUMER_KEEP) await rm(dir, { recursive: true, force: true });
    if (packDir) await rm(packDir, { recursive: true, force: true });
  });

  it('warns at startup about topic values that no topic matches yet', async () => {
    await eventually(async () => siteLog.includes('api::meldung.meldung.thema: no topic matches "verkehr", "kultur"'));
  });

  it('answers a bad sign-up with 400 in Strapi’s error shape, naming the field', async () => {
    const response = await api('POST', '/api/town-crier/subscriptions', { channel: 'whatsapp', address: 'keine Nummer', consent: { accepted: true, version: 'x' } });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ data: null, error: { status: 400, name: 'ValidationError' } });
    expect(response.body.error.details.errors.length).toBeGreaterThan(0);
  });

  it('answers an unsigned webhook with 401 and a wrong verify token with 403', async () => {
    const unsigned = await api('POST', '/api/town-crier/webhooks/whatsapp', { object: 'whatsapp_business_account', entry: [] });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body).toMatchObject({ data: null, error: { status: 401, name: 'UnauthorizedError' } });

    const handshake = await api('GET', '/api/town-crier/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=falsch&hub.challenge=12345');
    expect(handshake.status).toBe(403);
    expect(handshake.body).toMatchObject({ data: null, error: { status: 403, name: 'ForbiddenError' } });

    const right = await api('GET', `/api/town-crier/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${WHATSAPP.verifyToken}&hub.challenge=12345`);
    expect(right).toMatchObject({ status: 200 });
  });

  it('answers an unknown broadcast with 404', async () => {
    const missing = await admin('POST', '/town-crier/broadcasts/gibtesnicht/resume');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ data: null, error: { status: 404, name: 'NotFoundError' } });
  });

  it('signs citizens up, confirms them by a signed webhook, and broadcasts a publish once per matching citizen; a “do not send” entry reaches nobody', async () => {
    for (const [name, slug] of [
      ['Verkehr', 'verkehr'],
      ['Kultur', 'kultur'],
    ]) {
      const created = await admin('POST', '/content-manager/collection-types/plugin::town-crier.topic', { name, slug });
      expect(created.status).toBe(201);
    }
    const consent = (await api('GET', '/api/town-crier/consent?locale=de')).body.data;

    const citizens = [
      { digits: '4915111000001', topics: ['verkehr'] },
      { digits: '4915111000002', topics: ['verkehr'] },
      { digits: '4915111000003', topics: ['kultur'] },
    ];
    for (const citizen of citizens) {
      const signup = await api('POST', '/api/town-crier/subscriptions', {
        channel: 'whatsapp',
        address: `+${citizen.digits}`,
        topics: citizen.topics,
        locale: 'de',
        consent: { accepted: true, version: consent.version },
      });
      expect(signup.status).toBe(202);
      const confirmation = await eventually(async () => templatesTo(citizen.digits, 'gemeinde_anmeldung')[0]);
      const payload = (confirmation.body as { template: { components: Array<{ sub_type?: string; parameters: Array<{ payload: string }> }> } }).template.components.find(
        (component) => component.sub_type === 'quick_reply'
      )!.parameters[0].payload;
      expect((await webhook(buttonReplyWebhook(citizen.digits, payload))).status).toBe(200);
    }
    // Confirmed: each citizen gets the welcome text.
    for (const citizen of citizens) {
      await eventually(async () =>
        fake.requests.some((request) => {
          const body = request.body as { to?: string; type?: string } | undefined;
          return body?.to?.replace(/\D/g, '') === citizen.digits && body.type === 'text';
        })
      );
    }

    const meldungen = '/content-manager/collection-types/api::meldung.meldung';
    const silent = await admin('POST', `${meldungen}/actions/publish`, {
      titel: 'Interne Notiz zur Straßenreinigung',
      kurztext: 'Nur für die Website.',
      kennung: 'interne-notiz',
      thema: 'verkehr',
      nicht_senden: true,
    });
    expect(silent.status).toBe(200);
    const news = await admin('POST', `${meldungen}/actions/publish`, {
      titel: 'Hauptstraße gesperrt',
      kurztext: 'Ab Montag ist die Hauptstraße zwischen Markt und Bahnhof gesperrt.',
      kennung: 'hauptstrasse-gesperrt',
      thema: 'verkehr',
    });
    expect(news.status).toBe(200);

    const broadcast = await eventually(async () => {
      const list = await admin('GET', '/town-crier/broadcasts');
      const row = (list.body.data as Array<{ documentId: string; title: string; broadcastStatus: string; sent: number }>).find((entry) => entry.title === 'Hauptstraße gesperrt');
      return row?.broadcastStatus === 'sent' && row;
    }, 60_000);
    expect(broadcast.sent).toBe(2);

    for (const citizen of citizens) {
      const expected = citizen.topics.includes('verkehr') ? 1 : 0;
      expect(templatesTo(citizen.digits, 'gemeinde_nachricht')).toHaveLength(expected);
    }
    expect(announcementsWith('Hauptstraße gesperrt')).toHaveLength(2);
    expect(announcementsWith('Interne Notiz')).toHaveLength(0);
    const list = await admin('GET', '/town-crier/broadcasts');
    expect((list.body.data as Array<{ title: string }>).map((entry) => entry.title)).toEqual(['Hauptstraße gesperrt']);

    const resume = await admin('POST', `/town-crier/broadcasts/${broadcast.documentId}/resume`);
    expect(resume.status).toBe(400);
    expect(resume.body).toMatchObject({ data: null, error: { status: 400, name: 'ApplicationError', message: 'Only a paused broadcast can be resumed (one waiting for approval goes on once it is approved)' } });
  });

  it('answers too many sign-ups from one address with 429 and Retry-After', async () => {
    let response: Awaited<ReturnType<typeof api>> | undefined;
    for (let attempt = 0; attempt < 12; attempt++) {
      response = await api('POST', '/api/town-crier/subscriptions', { channel: 'whatsapp', address: `+4915111009${String(attempt).padStart(3, '0')}`, consent: { accepted: true, version: 'x' } });
      if (response.status === 429) break;
    }
    expect(response?.status).toBe(429);
    expect(response?.body).toMatchObject({ data: null, error: { status: 429, name: 'RateLimitError' } });
    expect(Number(response?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  // Last: it stops the site.
  it('refuses to start on a misspelt key or a field the news type does not have, naming it', async () => {
    await stopSite();
    const pluginsFile = path.join(dir, 'config/plugins.js');
    const original = readFileSync(pluginsFile, 'utf8');
    try {
      writeFileSync(pluginsFile, original.replace("skip: 'nicht_senden'", "skipp: 'nicht_senden'"));
      const typo = await startupRefusal();
      expect(typo.code).not.toBe(0);
      expect(typo.log).toContain('contentTypes.api::meldung.meldung.skipp: unknown key (did you mean "skip"?)');

      writeFileSync(pluginsFile, original.replace("title: 'titel'", "title: 'title'"));
      const field = await startupRefusal();
      expect(field.code).not.toBe(0);
      expect(field.log).toContain('contentTypes.api::meldung.meldung.title: api::meldung.meldung has no attribute "title" (did you mean "titel"?)');
    } finally {
      writeFileSync(pluginsFile, original);
    }
  });
});
