import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface WorkerProcess {
  pid: number;
  /** The process that works the jobs: `pid` itself, or the child the launcher started with its heap limits. */
  workerPid: number;
  /** SIGKILL, as a crash or the OOM killer would: no cleanup, locks and jobs left behind. */
  kill(): Promise<void>;
  /** SIGTERM: Strapi's destroy closes everything. */
  stop(): Promise<void>;
}

/** The plugin's own worker launcher (bin/town-crier-worker.cjs), pointed at the test app. */
export const LAUNCHER = {
  script: path.resolve(__dirname, '../../bin/town-crier-worker.cjs'),
  args: ['--app-dir', path.resolve(__dirname, '../app'), '--dist-dir', path.resolve(__dirname, '../app')],
};

/**
 * Starts tests/support/worker-child.cjs (or `script` with `args`, e.g. the LAUNCHER) with this
 * process's environment plus `env`, and resolves once its Strapi has booted (and its workers have started).
 */
export async function startWorkerProcess(
  env: Record<string, string>,
  { timeoutMs = 120_000, script = path.resolve(__dirname, 'worker-child.cjs'), args = [] as string[] } = {}
): Promise<WorkerProcess> {
  const child: ChildProcess = fork(script, args, {
    env: { ...process.env, ...env },
    // Bare node: the test runner's loader flags would not apply to a plain .cjs file.
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const workerPid = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker process did not boot in time')), timeoutMs);
    child.once('message', (message: { pid?: number }) => {
      clearTimeout(timer);
      resolve(message?.pid ?? (child.pid as number));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`worker process exited during boot (${code ?? signal})`));
    });
  });
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return { pid: child.pid as number, workerPid, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}
