import { z } from 'zod';
import type { Response } from 'supertest';
import {
  auditActorSchema,
  auditListResponseSchema,
  officialWarningsOverviewSchema,
  pluginPermissionsSchema,
  broadcastDetailSchema,
  broadcastListResponseSchema,
  broadcastSchema,
  channelStatusSchema,
  dataResponseSchema,
  eraseResultSchema,
  followUpMarkSchema,
  followUpStateSchema,
  growthStatsSchema,
  inboxMessageSchema,
  inboxResponseSchema,
  outboxResponseSchema,
  overviewStatsSchema,
  publishPreviewSchema,
  purgeResultSchema,
  retryFailedResultSchema,
  sandboxActResultSchema,
  sendTestResultSchema,
  submitTemplatesResultSchema,
  whatsappChannelHandoffSchema,
} from '../../shared/contracts/admin-responses';

/**
 * Each admin route's answer, as the contract (shared/contracts/admin-responses.ts) declares it.
 * Paths are relative to /town-crier, without the query string.
 */
const data = dataResponseSchema;
export const ANSWERS: Array<{ method: 'GET' | 'POST'; path: RegExp; schema: z.ZodType }> = [
  { method: 'GET', path: /^\/stats\/overview$/, schema: data(overviewStatsSchema) },
  { method: 'GET', path: /^\/stats\/growth$/, schema: data(growthStatsSchema) },
  { method: 'GET', path: /^\/broadcasts$/, schema: broadcastListResponseSchema },
  { method: 'GET', path: /^\/broadcasts\/[^/]+$/, schema: data(broadcastDetailSchema) },
  { method: 'POST', path: /^\/broadcasts\/[^/]+\/(pause|resume|cancel|approve|reject|send-update)$/, schema: data(broadcastSchema) },
  { method: 'POST', path: /^\/broadcasts\/[^/]+\/retry-failed$/, schema: data(retryFailedResultSchema) },
  { method: 'POST', path: /^\/broadcasts\/[^/]+\/send-test$/, schema: data(sendTestResultSchema) },
  { method: 'GET', path: /^\/broadcasts\/[^/]+\/whatsapp-channel$/, schema: data(whatsappChannelHandoffSchema) },
  { method: 'POST', path: /^\/broadcasts\/[^/]+\/whatsapp-channel$/, schema: data(whatsappChannelHandoffSchema) },
  { method: 'GET', path: /^\/preview$/, schema: data(publishPreviewSchema) },
  { method: 'GET', path: /^\/follow-ups$/, schema: data(followUpStateSchema) },
  { method: 'POST', path: /^\/follow-ups\/mark$/, schema: data(followUpMarkSchema) },
  { method: 'POST', path: /^\/follow-ups\/unmark$/, schema: data(z.null()) },
  { method: 'GET', path: /^\/channels$/, schema: data(z.array(channelStatusSchema)) },
  { method: 'POST', path: /^\/channels\/whatsapp\/templates$/, schema: data(submitTemplatesResultSchema) },
  { method: 'GET', path: /^\/inbox$/, schema: inboxResponseSchema },
  { method: 'POST', path: /^\/inbox\/\d+\/(handled|reply)$/, schema: data(inboxMessageSchema) },
  { method: 'GET', path: /^\/sandbox\/outbox$/, schema: outboxResponseSchema },
  { method: 'POST', path: /^\/sandbox\/act$/, schema: data(sandboxActResultSchema) },
  { method: 'POST', path: /^\/subscribers\/\d+\/erase$/, schema: data(eraseResultSchema) },
  { method: 'POST', path: /^\/subscribers\/purge-withdrawn$/, schema: data(purgeResultSchema) },
  { method: 'GET', path: /^\/audit$/, schema: auditListResponseSchema },
  { method: 'GET', path: /^\/audit\/actors$/, schema: data(z.array(auditActorSchema)) },
  { method: 'GET', path: /^\/warnings$/, schema: data(officialWarningsOverviewSchema) },
  { method: 'GET', path: /^\/me\/permissions$/, schema: data(pluginPermissionsSchema) },
];

/**
 * Checks a successful JSON answer of an admin route against its contract, strictly: a key the
 * contract does not declare (a database column such as `id`, `createdAt`, `sourceKey`, a stored
 * counter beside its API name) fails, naming where. Error answers and CSV are Strapi's or text and
 * are not checked here. A route the table above does not know fails too, so a new route gets its schema.
 */
export function conformsToContract(method: 'GET' | 'POST', path: string, response: Response): Response {
  // Only the plugin's admin routes; the content manager's and Strapi's own answers are not ours.
  if (!path.startsWith('/town-crier/')) return response;
  if (response.status >= 300 || !/json/.test(String(response.headers['content-type'] ?? ''))) return response;
  const route = path.replace(/^\/town-crier/, '').split('?')[0];
  const answer = ANSWERS.find((candidate) => candidate.method === method && candidate.path.test(route));
  if (!answer) throw new Error(`No contract for ${method} ${route}: add its schema to tests/support/admin-contract.ts`);
  const parsed = answer.schema.safeParse(response.body);
  if (!parsed.success) throw new Error(`${method} ${route} answered beyond its contract:\n${z.prettifyError(parsed.error)}`);
  return response;
}
