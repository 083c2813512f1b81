import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
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
  let server: http.Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('is classified as a plain retry, not ambiguous', async () => {
    const sockets: Socket[] = [];
    let requests = 0;
    server = http.createServer((request, response) => {
      requests += 1;
      request.resume();
      request.on('end', () => response.end(JSON.stringify({ messages: [{ id: `wamid.${requests}` }] })));
    });
    server.on('connection', (socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const provider = createProviderClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 5000 });
    try {
      await provider.client.post('/v1/messages', { n: 1 });
      // The provider closes the idle connection; this process sends on it before it could notice.
      for (const socket of sockets) socket.resetAndDestroy();
      const error = await provider.client.post('/v1/messages', { n: 2 }).then(
        () => undefined,
        (failure: unknown) => failure
      );
      expect(error, 'the request on the dead connection fails').toBeDefined();
      expect(requests, 'the provider never read the second request').toBe(1);
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
