/**
 * A second process working the test app's jobs, for crash tests: it boots the same app as
 * tests/support/strapi.ts, from the same TOWN_CRIER_TEST_* variables (database, plugin config
 * with the same Redis prefix), and works jobs until it is killed. Plain CommonJS, so it runs
 * under bare node without the test runner's transform. Tells the parent over IPC when it is up.
 */
const path = require('node:path');
const { createStrapi } = require('@strapi/strapi');

const APP_DIR = path.resolve(__dirname, '../app');

/**
 * Benchmarks only (bench/scale-out.bench.ts): BENCH_SEND_LATENCY_DIR makes this process time every
 * provider request (from `http.request` to the answer's headers, as the worker's event loop sees it)
 * and write the durations to <dir>/<pid>.json when it is stopped.
 */
const latencies = [];
if (process.env.BENCH_SEND_LATENCY_DIR) {
  const http = require('node:http');
  const request = http.request;
  http.request = function timedRequest(...args) {
    const started = performance.now();
    const sent = request.apply(this, args);
    sent.once('response', () => latencies.push(performance.now() - started));
    return sent;
  };
}

async function main() {
  const strapi = createStrapi({ appDir: APP_DIR, distDir: APP_DIR });
  strapi.log.level = process.env.TOWN_CRIER_TEST_LOG || 'error';
  await strapi.load();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    if (process.env.BENCH_SEND_LATENCY_DIR) {
      require('node:fs').writeFileSync(path.join(process.env.BENCH_SEND_LATENCY_DIR, `${process.pid}.json`), JSON.stringify(latencies));
    }
    await strapi.destroy().catch(() => undefined);
    process.exit(0);
  };
  // Strapi's destroy() removes every process listener, so these are added after load().
  process.on('SIGTERM', stop);
  // The parent died or let go: nobody would ever stop this process otherwise.
  process.on('disconnect', stop);
  process.send({ ready: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
