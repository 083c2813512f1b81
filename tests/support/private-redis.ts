/**
 * A redis-server of the test's own, on a free port, that a test may kill and start again.
 * The machine's shared Redis cannot be restarted: other test files and people use it. Like the
 * project's production Redis it keeps nothing on disk, so a restart loses every key.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export const redisServerInstalled = (): boolean => spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

export interface PrivateRedis {
  url: string;
  /** SIGKILL: the server dies at once and its data with it. */
  kill(): Promise<void>;
  /** Starts an empty server on the same port. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let server: ChildProcess | null = null;

  const start = async () => {
    if (server) throw new Error('private redis is already running');
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
      stdio: 'ignore',
    });
    server = child;
    child.once('exit', () => {
      if (server === child) server = null;
    });
    const started = Date.now();
    while (!(await ping(port))) {
      if (!server) throw new Error(`redis-server on port ${port} exited at startup`);
      if (Date.now() - started > 10_000) throw new Error(`redis-server on port ${port} did not answer within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  const signal = async (name: NodeJS.Signals) => {
    const child = server;
    if (!child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(name);
    await exited;
    server = null;
  };

  // Never leave a redis-server behind when the test process ends without afterAll.
  process.once('exit', () => server?.kill('SIGKILL'));
  await start();
  return { url: `redis://127.0.0.1:${port}`, kill: () => signal('SIGKILL'), start, stop: () => signal('SIGKILL') };
}
