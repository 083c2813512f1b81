import net, { type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createProviderClient } from '../../server/src/channels/http-client';
import { classifyWhatsappError, toWhatsappSendError } from '../../server/src/channels/whatsapp/whatsapp.errors';

/**
 * A kept-alive connection the provider had already closed (its idle timeout ran out while this
 * process was busy, e.g. blocked on a locked SQLite file): the next request is written into a
 * socket whose other end is gone and breaks with ECONNRESET. The provider never read it, so
 * this is a plain retry, not an ambiguous send that must wait for a status webhook (#23).
 */
describe('a reset on a reused keep-alive connection', () => {
  let server: net.Server | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('is classified as a plain retry, not ambiguous', async () => {
    let requests = 0;
    // A plain TCP server speaking just enough HTTP/1.1: it answers the first request and keeps the
    // connection; whatever arrives on it afterwards meets a reset, unread, as bytes sent to a peer
    // that is gone do. (Resetting the idle socket beforehand instead races the client: Node 24's
    // agent notices the reset before it reuses the socket and sends on a new one; Node 20's did not.)
    server = net.createServer((socket) => {
      sockets.push(socket);
      let received = '';
      let answered = false;
      socket.on('data', (chunk: Buffer) => {
        if (answered) {
          socket.resetAndDestroy();
          return;
        }
        received += chunk.toString('latin1');
        const headerEnd = received.indexOf('\r\n\r\n');
        if (headerEnd < 0) return;
        const bodyLength = Number(/^content-length: *(\d+)/im.exec(received.slice(0, headerEnd))?.[1] ?? 0);
        if (received.length < headerEnd + 4 + bodyLength) return;
        requests += 1;
        answered = true;
        const body = JSON.stringify({ messages: [{ id: `wamid.${requests}` }] });
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`);
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const provider = createProviderClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 5000 });
    try {
      await provider.client.post('/v1/messages', { n: 1 });
      const error = await provider.client.post('/v1/messages', { n: 2 }).then(
        () => undefined,
        (failure: unknown) => failure
      );
      expect(error, 'the request on the dead connection fails').toBeDefined();
      expect(requests, 'the provider never read the second request').toBe(1);
      expect(sockets, 'both requests went on one connection').toHaveLength(1);
      const classified = classifyWhatsappError(toWhatsappSendError(error));
      expect(classified.errorClass).toBe('retry');
      expect(classified.ambiguous).toBeUndefined();
    } finally {
      provider.close();
    }
  });

  it('stays ambiguous once an answer had begun, or on a fresh connection', () => {
    const reset = (request: Record<string, unknown>) => Object.assign(new Error('socket hang up'), { isAxiosError: true, code: 'ECONNRESET', request });
    expect(classifyWhatsappError(toWhatsappSendError(reset({ writableFinished: true, reusedSocket: true, res: {} })))).toMatchObject({ errorClass: 'retry-later', ambiguous: true });
    expect(classifyWhatsappError(toWhatsappSendError(reset({ writableFinished: true, reusedSocket: false })))).toMatchObject({ errorClass: 'retry-later', ambiguous: true });
    expect(classifyWhatsappError(toWhatsappSendError(reset({ writableFinished: true, reusedSocket: true })))).toMatchObject({ errorClass: 'retry' });
  });
});
