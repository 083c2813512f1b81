/**
 * The fake Cloud API in a process of its own, for benchmarks: its HTTP handling and request
 * bookkeeping then cost neither the pipeline's process nor plain axios's (bundled with esbuild
 * by `fake-cloud-api-process.ts` and forked). Talks to the parent over IPC.
 */
import { startFakeWhatsappCloudApi } from '../../tests/support/fake-whatsapp-cloud-api';

type Command = { id: number; cmd: 'sends' | 'count' | 'reset' | 'latency'; ms?: number };

async function main() {
  const fake = await startFakeWhatsappCloudApi({ accessToken: process.env.FAKE_ACCESS_TOKEN as string, phoneNumberId: process.env.FAKE_PHONE_NUMBER_ID as string });
  const templates = () => fake.requests.filter((request) => (request.body as { type?: string } | undefined)?.type === 'template');
  process.on('message', (message: Command) => {
    let answer: unknown = null;
    if (message.cmd === 'count') answer = templates().length;
    // Epoch milliseconds (the fake records performance.now()) and the recipient of every template send.
    if (message.cmd === 'sends') answer = templates().map((request) => [performance.timeOrigin + request.receivedAt, (request.body as { to?: string }).to ?? '']);
    if (message.cmd === 'reset') fake.reset();
    if (message.cmd === 'latency') fake.setLatency(message.ms ?? 0);
    process.send?.({ id: message.id, answer });
  });
  process.on('disconnect', () => {
    void fake.close().finally(() => process.exit(0));
  });
  process.send?.({ ready: true, baseUrl: fake.baseUrl, apiVersion: fake.apiVersion });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
