import type { Core } from '@strapi/strapi';
import { endpointProblem, pushServicesOf, resolvedAddressProblem } from '../channels/webpush';
import { validationError } from '../http/errors';
import { getService } from '../utils/get-service';

/**
 * Refuses a Web Push endpoint the town would never send to, before anything is stored: a 400
 * naming `<field>.endpoint`, without echoing the endpoint. The host must be a push service on the
 * list and, when the channel is live, resolve to public addresses only (the send checks the
 * addresses it connects to again). In sandbox mode nothing is ever sent, so nothing is resolved.
 */
export async function assertPushEndpoint(strapi: Core.Strapi, endpoint: string, field: Array<string | number>): Promise<void> {
  const runtime = getService(strapi, 'runtime');
  const services = pushServicesOf(runtime.config().channels.webpush.pushServices);
  const live = runtime.channels().find('webpush')?.mode === 'live';
  const problem = endpointProblem(endpoint, services) ?? (live ? await resolvedAddressProblem(endpoint, services) : null);
  if (!problem) return;
  const path = [...field, 'endpoint'].map(String);
  const message = `The push endpoint ${problem}`;
  throw validationError(message, { errors: [{ path, message, name: 'ValidationError' }] });
}
