import { rootCertificates } from 'node:tls';
import webpush from 'web-push';
import type { WebpushConfig } from './webpush.config';
import type { Channel, ChannelLinks, ClassifiedError, OutboundMessage, SandboxRecorder, SendResult } from '../channel';
import { announcementPayload, topicOf } from './webpush.payload';
import { classifyWebpushError, toWebpushSendError, WebpushEndpointRefusedError, WebpushSubscriptionError, WebpushUnsupportedMessageError, WebpushVapidError } from './webpush.errors';
import { createPushAgent, endpointProblem, pushServicesOf } from './webpush.endpoint';
import type { PushSubscription } from './webpush.subscription';

export { classifyWebpushError, retryAfterMs } from './webpush.errors';
export { announcementPayload, topicOf } from './webpush.payload';
export { pushAddressOf, parsePushSubscription, type PushSubscription } from './webpush.subscription';
export { endpointProblem, pushServicesOf, resolvedAddressProblem, type PushServices } from './webpush.endpoint';

/** web-push's default: the VAPID JWT is valid for 12 hours (RFC 8292 allows at most 24). */
const JWT_VALIDITY_SECONDS = 12 * 60 * 60;

export interface WebpushChannelOptions {
  config: WebpushConfig;
  links: ChannelLinks;
  sandboxRecorder: SandboxRecorder;
  sandbox: boolean;
  /** The stored subscription behind a subscriber's address (`wp:<hash>`); the address alone cannot be pushed to. */
  subscriptionOf(address: string): Promise<PushSubscription | null>;
}

/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291), by
 * the `web-push` library. The push service (Google, Mozilla, Apple) only relays ciphertext;
 * the keys to read it live in the citizen's browser.
 */
export function createWebpushChannel({ config, links, sandboxRecorder, sandbox, subscriptionOf }: WebpushChannelOptions): Channel {
  const services = pushServicesOf(config.pushServices);
  const agent = createPushAgent(config.caCertificate ? { ca: [...rootCertificates, config.caCertificate], keepAlive: true } : { keepAlive: true }, services);

  /**
   * The town's own VAPID header for this push service. Signed here rather than inside web-push,
   * so a key that cannot sign is told apart from a push service refusing one subscription.
   */
  const vapidHeader = (endpoint: string): string => {
    const vapid = config.vapid as NonNullable<WebpushConfig['vapid']>;
    try {
      const expiresAt = Math.floor(Date.now() / 1000) + JWT_VALIDITY_SECONDS;
      return webpush.getVapidHeaders(new URL(endpoint).origin, vapid.subject, vapid.publicKey, vapid.privateKey, 'aes128gcm', expiresAt).Authorization;
    } catch (error) {
      throw new WebpushVapidError(error instanceof Error ? error.message : 'VAPID signature failed');
    }
  };

  const send = async (message: OutboundMessage): Promise<SendResult> => {
    // Web Push has no double opt-in and no free-text replies: only announcements go out.
    if (message.kind !== 'announcement') throw new WebpushUnsupportedMessageError(message.kind);
    const locale = message.locale ?? 'de';
    const payload = announcementPayload(message.content, {
      icon: config.icon ?? null,
      unsubscribeUrl: message.unsubscribeToken ? links.unsubscribe(message.unsubscribeToken, locale) : null,
      unsubscribeToken: message.unsubscribeToken ?? null,
      locale,
    });
    const urgency = message.content.urgency === 'emergency' ? 'high' : 'normal';
    if (sandbox) {
      const providerMessageId = await sandboxRecorder({ channel: 'webpush', to: message.to, body: { payload, headers: { TTL: config.ttlSeconds, Urgency: urgency, Topic: payload.tag } } });
      return { providerMessageId };
    }
    const subscription = await subscriptionOf(message.to);
    if (!subscription) throw new WebpushSubscriptionError('no stored push subscription for this subscriber');
    // Rows stored before the allow-list, or under a config that trusted more: checked on every send.
    const refusal = endpointProblem(subscription.endpoint, services);
    if (refusal) throw new WebpushEndpointRefusedError(refusal);
    const authorization = vapidHeader(subscription.endpoint);
    try {
      const result = await webpush.sendNotification(subscription, JSON.stringify(payload), {
        // No vapidDetails: the header above is the only Authorization (web-push would sign again).
        headers: { Authorization: authorization },
        TTL: config.ttlSeconds,
        urgency,
        topic: payload.tag,
        contentEncoding: 'aes128gcm',
        timeout: config.requestTimeoutMs,
        agent,
      });
      // The push service's Location header names the message it accepted.
      const location = result.headers?.location;
      const id = typeof location === 'string' ? location.split('/').pop() : undefined;
      return { providerMessageId: `webpush.${id || topicOf(message.content)}.${Date.now()}` };
    } catch (error) {
      throw toWebpushSendError(error);
    }
  };

  return {
    id: 'webpush',
    mode: sandbox ? 'sandbox' : 'live',
    messagesPerSecond: config.messagesPerSecond,
    dailyRecipientLimit: null,
    send,
    classifyError: (error: unknown): ClassifiedError => classifyWebpushError(error),
    async close() {
      agent.destroy();
    },
  };
}
