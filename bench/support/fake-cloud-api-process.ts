import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { WHATSAPP } from '../../tests/support/whatsapp';

export interface FakeProcess {
  baseUrl: string;
  apiVersion: string;
  pid: number;
  /** Template sends the fake took: [epoch ms when received, recipient]. */
  sends(): Promise<Array<[number, string]>>;
  count(): Promise<number>;
  reset(): Promise<void>;
  setLatency(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Forks the fake Cloud API (tests/support/fake-whatsapp-cloud-api.ts) into its own process. */
export async function startFakeProcess(): Promise<FakeProcess> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tc-fake-'));
  const outfile = path.join(dir, 'fake.cjs');
  buildSync({ entryPoints: [path.resolve(__dirname, 'fake-cloud-api-child.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'error' });
  const child: ChildProcess = fork(outfile, [], {
    env: { ...process.env, FAKE_ACCESS_TOKEN: WHATSAPP.accessToken, FAKE_PHONE_NUMBER_ID: WHATSAPP.phoneNumberId },
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ baseUrl: string; apiVersion: string }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { baseUrl: string; apiVersion: string }));
    child.once('exit', (code) => reject(new Error(`fake Cloud API process exited (${code})`)));
  });
  let nextId = 0;
  const waiting = new Map<number, (answer: unknown) => void>();
  child.on('message', (message: { id?: number; answer?: unknown }) => {
    if (message.id === undefined) return;
    waiting.get(message.id)?.(message.answer);
    waiting.delete(message.id);
  });
  const ask = <T>(cmd: string, extra: Record<string, unknown> = {}) =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve as (answer: unknown) => void);
      child.send({ id, cmd, ...extra });
    });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    baseUrl: ready.baseUrl,
    apiVersion: ready.apiVersion,
    pid: child.pid as number,
    sends: () => ask('sends'),
    count: () => ask('count'),
    reset: () => ask('reset'),
    setLatency: (ms) => ask('latency', { ms }),
    async close() {
      if (child.connected) child.disconnect();
      await exited;
    },
  };
}

/** The busiest sliding one-second window (any second, not clock-aligned) of sorted times in ms. */
export function busiestSecond(times: number[]) {
  let busiest = 0;
  for (let lo = 0, hi = 0; hi < times.length; hi += 1) {
    while (times[hi] - times[lo] >= 1000) lo += 1;
    busiest = Math.max(busiest, hi - lo + 1);
  }
  return busiest;
}

export const load = () => os.loadavg().map((value) => value.toFixed(2)).join(' / ');

export function spread(values: number[], digits = 0) {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  const format = (value: number) => value.toFixed(digits);
  return `min ${format(sorted[0])} / median ${format(median)} / max ${format(sorted[sorted.length - 1])}`;
}
