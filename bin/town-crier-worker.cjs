#!/usr/bin/env node
/**
 * town-crier-worker: runs a town's Strapi app as a job worker only (no HTTP server, the plugin's
 * `worker: true` whatever the config file says), with V8 heap limits that keep its memory small.
 *
 *   cd /srv/musterstadt && npx town-crier-worker            (the app in the current directory)
 *   npx town-crier-worker --app-dir /srv/musterstadt [--dist-dir /srv/musterstadt/dist]
 *
 * Why a launcher: Node sizes its heap from the machine's memory (about 4 GB on a 24 GB server)
 * and lets garbage pile up far past what a worker needs before collecting it. A heap limit can
 * only be set when V8 starts (`v8.setFlagsFromString` cannot change it later), so unless the
 * process was already started with `--max-old-space-size` (in its arguments or NODE_OPTIONS),
 * this script starts itself again with the limits below and passes signals and the exit code
 * through. Environment:
 *   TOWN_CRIER_WORKER_HEAP_MB        old-space limit in MB (default 192; 0 = Node's default)
 *   TOWN_CRIER_WORKER_SEMI_SPACE_MB  young-generation semi-space in MB (default 8; 0 = Node's default)
 * Plain CommonJS on purpose: it runs under bare node, before and without any build step.
 */
'use strict';

const path = require('node:path');
const fs = require('node:fs');
const { spawn } = require('node:child_process');

const DEFAULT_HEAP_MB = 192;
const DEFAULT_SEMI_SPACE_MB = 8;
/** Set in the re-started process, so it never starts itself a third time. */
const CHILD_MARK = 'TOWN_CRIER_WORKER_CHILD';

function megabytes(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`town-crier-worker: ${name} must be a whole number of megabytes (0 keeps Node's default), not "${raw}"`);
    process.exit(2);
  }
  return value;
}

function option(name) {
  const args = process.argv.slice(2);
  const index = args.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
  if (index < 0) return undefined;
  return args[index].includes('=') ? args[index].slice(name.length + 1) : args[index + 1];
}

/** The V8 flags this process should run with, or [] when it already runs with a heap limit of its own choosing. */
function heapFlags() {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (given.some((flag) => /^--max[-_]old[-_]space[-_]size/.test(flag))) return [];
  const heap = megabytes('TOWN_CRIER_WORKER_HEAP_MB', DEFAULT_HEAP_MB);
  const semi = megabytes('TOWN_CRIER_WORKER_SEMI_SPACE_MB', DEFAULT_SEMI_SPACE_MB);
  return [
    ...(heap ? [`--max-old-space-size=${heap}`] : []),
    ...(semi && !given.some((flag) => /^--max[-_]semi[-_]space[-_]size/.test(flag)) ? [`--max-semi-space-size=${semi}`] : []),
  ];
}

/** Starts this script again with `flags`; this process only passes signals, IPC messages and the exit code through. */
function supervise(flags) {
  const child = spawn(process.execPath, [...process.execArgv, ...flags, __filename, ...process.argv.slice(2)], {
    env: { ...process.env, [CHILD_MARK]: '1' },
    stdio: process.send ? ['inherit', 'inherit', 'inherit', 'ipc'] : 'inherit',
  });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  if (process.send) {
    child.on('message', (message) => process.send(message));
    // Whoever forked us let go: stop the worker the same way as on SIGTERM.
    process.on('disconnect', () => child.kill('SIGTERM'));
  }
  child.on('exit', (code, signal) => {
    // V8 aborts (SIGABRT, or 134 through a shell) when the heap limit is reached.
    if (signal === 'SIGABRT' || code === 134) {
      console.error(
        `town-crier-worker: the worker ran out of its ${flags.join(' ')} heap. Large towns need more: set TOWN_CRIER_WORKER_HEAP_MB (e.g. 512) — see docs/performance.md, "A town of 1,000,000".`
      );
    }
    if (signal) process.kill(process.pid, signal);
    process.exit(code ?? 1);
  });
}

/** Where Strapi finds the compiled app: as `strapi start` decides it. */
async function resolveDirs() {
  const appDir = path.resolve(option('--app-dir') ?? process.cwd());
  const given = option('--dist-dir');
  if (given) return { appDir, distDir: path.resolve(given) };
  if (!fs.existsSync(path.join(appDir, 'tsconfig.json'))) return { appDir, distDir: appDir };
  const tsUtils = require(require.resolve('@strapi/typescript-utils', { paths: [appDir] }));
  return { appDir, distDir: await tsUtils.resolveOutDir(appDir) };
}

async function work() {
  const { appDir, distDir } = await resolveDirs();
  const { createStrapi } = require(require.resolve('@strapi/strapi', { paths: [appDir] }));
  const strapi = createStrapi({ appDir, distDir });
  await strapi.register();
  // The plugin reads its config lazily, after register: this process works jobs, whatever the
  // town's config says for its web instances.
  strapi.config.set('plugin::town-crier.worker', true);
  await strapi.bootstrap();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await strapi.destroy().catch(() => undefined);
    process.exit(0);
  };
  // Strapi's destroy() removes every process listener, so these are added after bootstrap.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (process.send) {
    process.on('disconnect', stop);
    process.send({ ready: true, pid: process.pid });
  }
  strapi.log.info(`[town-crier] worker process ${process.pid} is working jobs (heap limit ${Math.round(require('node:v8').getHeapStatistics().heap_size_limit / 1048576)} MB).`);
}

const flags = process.env[CHILD_MARK] ? [] : heapFlags();
if (flags.length) {
  supervise(flags);
} else {
  work().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
