#!/usr/bin/env node
/**
 * `npm run demo`: builds the plugin and the demo's admin, makes sure a Redis answers
 * (starting a private redis-server when one is installed), and starts Musterstadt on
 * http://localhost:1337.
 */
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');
const fs = require('node:fs');
const { startFakeDwdFeed } = require('./fake-dwd-feed');

const ROOT = path.resolve(__dirname, '..', '..');
const DEMO = path.resolve(__dirname, '..');
const STRAPI = path.join(ROOT, 'node_modules', '@strapi', 'strapi', 'bin', 'strapi.js');
const PORT = Number(process.env.PORT || 1337);
const children = [];

const answers = (url) =>
  new Promise((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    socket.setTimeout(1000);
    socket.once('connect', () => { socket.end(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });

const onPath = (binary) => spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;

async function ensureRedis() {
  const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  if (await answers(url)) return url;
  if (process.env.REDIS_URL || !onPath('redis-server')) {
    console.error(`No Redis answers at ${url}: install one (apt-get install -y redis-server) or point REDIS_URL at a running Redis.`);
    process.exit(1);
  }
  const privateUrl = 'redis://127.0.0.1:6390';
  console.log('No Redis on 6379; starting a private redis-server on 6390 for the demo.');
  const redis = spawn('redis-server', ['--port', '6390', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  children.push(redis);
  for (let i = 0; i < 50 && !(await answers(privateUrl)); i += 1) await new Promise((r) => setTimeout(r, 100));
  return privateUrl;
}

function run(label, command, args, options) {
  console.log(`\n== ${label}`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(`${label} failed.`);
    process.exit(result.status || 1);
  }
}

async function waitForHealth() {
  for (let i = 0; i < 600; i += 1) {
    try {
      const response = await fetch(`http://127.0.0.1:${PORT}/_health`);
      if (response.status === 204 || response.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

/**
 * DEMO_FAKE_ACCOUNTS=1: the town's Mastodon and Bluesky accounts post to local fake servers (the
 * test suite's, which behave as the platforms' docs say) instead of running in sandbox mode.
 */
async function startFakeAccounts() {
  if (process.env.DEMO_FAKE_ACCOUNTS !== '1') return { env: {}, lines: [] };
  const esbuild = require(path.join(ROOT, 'node_modules', 'esbuild'));
  const outfile = path.join(DEMO, '.tmp', 'fake-accounts.cjs');
  esbuild.buildSync({
    stdin: {
      contents: "export { startFakeMastodon } from './tests/support/fake-mastodon'; export { startFakeBlueskyPds } from './tests/support/fake-bluesky-pds';",
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
  });
  const { startFakeMastodon, startFakeBlueskyPds } = require(outfile);
  const account = { token: 'demo-mastodon-token', handle: 'musterstadt.bsky.social', appPassword: 'demo-demo-demo-demo' };
  const mastodon = await startFakeMastodon({ token: account.token });
  const bluesky = await startFakeBlueskyPds({ handle: account.handle, appPassword: account.appPassword });
  return {
    env: {
      MASTODON_URL: mastodon.baseUrl,
      MASTODON_ACCESS_TOKEN: account.token,
      BLUESKY_SERVICE: bluesky.service,
      BLUESKY_IDENTIFIER: account.handle,
      BLUESKY_APP_PASSWORD: account.appPassword,
    },
    lines: [
      `Mastodon:     fake server, posts at ${mastodon.baseUrl}/api/v1/timelines/public`,
      `Bluesky:      fake PDS, posts at ${bluesky.service}/xrpc/com.atproto.repo.listRecords?repo=${account.handle}&collection=app.bsky.feed.post`,
    ],
  };
}

async function main() {
  const redisUrl = await ensureRedis();
  fs.mkdirSync(path.join(DEMO, '.tmp'), { recursive: true });
  const fakes = await startFakeAccounts();
  const env = { ...process.env, ...fakes.env, REDIS_URL: redisUrl, PORT: String(PORT), STRAPI_TELEMETRY_DISABLED: 'true' };
  run('building the plugin', 'npm', ['run', 'build'], { cwd: ROOT });
  fs.mkdirSync(path.join(DEMO, '.tmp'), { recursive: true });
  run('building the demo admin', process.execPath, [STRAPI, 'build'], { cwd: DEMO, env: { ...env, NODE_ENV: 'development' } });

  // Official warnings (docs/warnings.md): a local DWD feed with a storm warning for Musterstadt,
  // unless DWD_WARNINGS_URL points elsewhere.
  if (!process.env.DWD_WARNINGS_URL) {
    const feed = startFakeDwdFeed(PORT + 3);
    feed.server.unref();
    env.DWD_WARNINGS_URL = feed.url;
    env.DWD_WARNCELL_ID = env.DWD_WARNCELL_ID || feed.cell;
  }

  console.log('\n== starting Musterstadt');
  const strapi = spawn(process.execPath, [STRAPI, 'start'], { cwd: DEMO, env: { ...env, NODE_ENV: 'development' }, stdio: 'inherit' });
  children.push(strapi);
  strapi.on('exit', (code) => {
    for (const child of children) child.kill();
    process.exit(code ?? 0);
  });
  if (await waitForHealth()) {
    console.log(`
  Musterstadt is running.
  Admin:        http://localhost:${PORT}/admin   (${process.env.DEMO_ADMIN_EMAIL || 'admin@musterstadt.example'} / ${process.env.DEMO_ADMIN_PASSWORD ? '(your DEMO_ADMIN_PASSWORD)' : 'Musterstadt-2026'})
  Sign-up page: http://localhost:${PORT}/api/town-crier/signup
  WhatsApp:     ${process.env.WHATSAPP_ACCESS_TOKEN ? 'live Cloud API' : 'sandbox (no WHATSAPP_ACCESS_TOKEN): nothing leaves this machine'}
  ${fakes.lines.length ? fakes.lines.join('\n  ') : 'Mastodon, Bluesky: sandbox (their posts show in the sandbox phone; DEMO_FAKE_ACCOUNTS=1 posts to local fake servers)'}
`);
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
