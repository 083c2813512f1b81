import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import webpush from 'web-push';
import type { WebpushConfig } from '../../config/schema';
import type { Channel, ChannelLinks, ClassifiedError, OutboundMessage, SandboxRecorder, SendResult } from '../channel';
import { announcementPayload, topicOf } from './webpush.payload';
import { classifyWebpushError, toWebpushSendError, WebpushSubscriptionError, WebpushUnsupportedMessageError } from './webpush.errors';
import type { PushSubscription } from './webpush.subscription';

export { classifyWebpushError, retryAfterMs } from './webpush.errors';
export { announcementPayload, topicOf } from './webpush.payload';
export { pushAddressOf, parsePushSubscription, type PushSubscription } from './webpush.subscription';

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
  const agent = config.caCertificate ? new Agent({ ca: [...rootCertificates, config.caCertificate], keepAlive: true }) : new Agent({ keepAlive: true });

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
    const vapid = config.vapid as NonNullable<WebpushConfig['vapid']>;
    try {
      const result = await webpush.sendNotification(subscription, JSON.stringify(payload), {
        vapidDetails: vapid,
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
