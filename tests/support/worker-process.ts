import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface WorkerProcess {
  pid: number;
  /** SIGKILL, as a crash or the OOM killer would: no cleanup, locks and jobs left behind. */
  kill(): Promise<void>;
  /** SIGTERM: Strapi's destroy closes everything. */
  stop(): Promise<void>;
}

/**
 * Starts tests/support/worker-child.cjs with this process's environment plus `env`, and
 * resolves once its Strapi has booted (and its workers have started).
 */
export async function startWorkerProcess(env: Record<string, string>, { timeoutMs = 120_000 } = {}): Promise<WorkerProcess> {
  const child: ChildProcess = fork(path.resolve(__dirname, 'worker-child.cjs'), [], {
    env: { ...process.env, ...env },
    // Bare node: the test runner's loader flags would not apply to a plain .cjs file.
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker process did not boot in time')), timeoutMs);
    child.once('message', () => {
      clearTimeout(timer);
      resolve();
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
  return { pid: child.pid as number, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}
