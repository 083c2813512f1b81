import { generateKeyPairSync } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFederationClient, FederationTransportError } from '../../server/src/channels/activitypub/federation-client';

/**
 * DNS rebinding against the actor's outgoing requests: a follower's inbox (or key) is on a host
 * whose name answers a public address when it is checked and loopback when the connection is
 * made. The first answer is played by the promise-based resolver (what a check before connecting
 * asks); the connection itself resolves `localhost` with the system resolver, which says
 * 127.0.0.1. Only a check inside the connection's own lookup sees the second answer. (vi.mock is
 * hoisted above the imports, so the client module sees the mocked resolver.)
 */
vi.mock('node:dns/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:dns/promises')>();
  const publicAnswer = async (_host: string, options?: { all?: boolean }) =>
    options?.all ? [{ address: '93.184.215.14', family: 4 }] : { address: '93.184.215.14', family: 4 };
  return { ...real, default: { ...real, lookup: publicAnswer }, lookup: publicAnswer };
});


describe('the actor’s requests to other servers', () => {
  const listener = { server: net.createServer(), port: 0, connections: 0 };
  beforeAll(async () => {
    listener.server.on('connection', (socket) => {
      listener.connections += 1;
      socket.once('data', () => socket.end('HTTP/1.1 202 Accepted\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}'));
    });
    await new Promise<void>((resolve) => listener.server.listen(0, '127.0.0.1', resolve));
    listener.port = (listener.server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => listener.server.close(resolve)));

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const client = (allowPrivateAddresses: boolean) =>
    createFederationClient({
      identity: async () => ({ keyId: 'https://town.example/actor#main-key', privateKeyPem: privateKey }),
      timeoutMs: 5000,
      allowPrivateAddresses,
      userAgent: 'town-crier-test',
    });

  it('refuses the connection when the inbox’s name resolves to loopback at connect time, for POSTs and GETs alike', async () => {
    const inbox = `http://localhost:${listener.port}/inbox`;
    const posted = await client(false).post(inbox, { type: 'Create' }).then(() => null, (error: unknown) => error);
    expect(posted).toBeInstanceOf(FederationTransportError);
    expect(posted).toMatchObject({ code: 'private-address' });
    const fetched = await client(false).fetchJson(`http://localhost:${listener.port}/users/mallory`).then(() => null, (error: unknown) => error);
    expect(fetched).toMatchObject({ code: 'private-address' });
    expect(listener.connections).toBe(0);
  });

  it('connects to a private address when the town allowed it (a test follower on 127.0.0.1)', async () => {
    const before = listener.connections;
    await client(true).post(`http://localhost:${listener.port}/inbox`, { type: 'Create' });
    expect(listener.connections).toBe(before + 1);
  });
});
