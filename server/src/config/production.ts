import { isIP } from 'node:net';
import type { PluginConfig } from './schema';
import { parsePushServiceEntry } from '../channels/webpush/webpush.endpoint';

/** The built-in example town: a production site that still carries it has not been set up. */
const EXAMPLE_TOWN = 'Musterstadt';

/** RFC 2606 / RFC 6761 names that never belong to a real town's site. */
const isExampleHost = (host: string) =>
  /(^|\.)example\.(org|com|net)$/.test(host) || /\.(example|test|invalid|localhost)$/.test(host) || host === 'localhost';

const isLoopbackHost = (host: string) => {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.') || bare === '0.0.0.0';
  if (isIP(bare) === 6) return bare === '::1' || bare === '::' || /^::ffff:127\./.test(bare);
  return false;
};

const hostOf = (url: string) => {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
};

/**
 * What makes a config start and then silently fail in production, as `path: problem` lines: links
 * to localhost are dead for every citizen, and the example consent promises a privacy policy the
 * town does not have, in another town's name. A trusted IP-literal push service exists for tests
 * only: in production it would let the server post to its own network.
 */
export function productionConfigProblems(config: PluginConfig): string[] {
  const problems: string[] = [];
  if (isLoopbackHost(hostOf(config.publicUrl))) {
    problems.push(`publicUrl: ${config.publicUrl} is localhost: every confirm and unsubscribe link would be dead; set the site's public https address`);
  }
  if (config.town.name.trim() === EXAMPLE_TOWN) problems.push(`town.name: still the example "${EXAMPLE_TOWN}"; set the town's name`);
  for (const [version, consent] of Object.entries(config.consent.versions)) {
    if (isExampleHost(hostOf(consent.privacyPolicyUrl))) {
      problems.push(`consent.versions.${version}.privacyPolicyUrl: ${consent.privacyPolicyUrl} is an example address; link the town's own privacy policy`);
    }
    for (const [locale, text] of Object.entries(consent.text)) {
      if (text.includes(EXAMPLE_TOWN)) problems.push(`consent.versions.${version}.text.${locale}: still names the example town "${EXAMPLE_TOWN}"`);
    }
  }
  config.channels.webpush.pushServices.forEach((entry, index) => {
    const rule = parsePushServiceEntry(entry);
    if (typeof rule !== 'string' && rule.literal) {
      problems.push(`channels.webpush.pushServices.${index}: "${entry}" trusts an IP address, which is for a test push service only and refused in production`);
    }
  });
  if (config.channels.activitypub.enabled && config.channels.activitypub.allowPrivateAddresses) {
    problems.push('channels.activitypub.allowPrivateAddresses: lets any Follow make the server call into its own network; it is for a test follower server only and refused in production');
  }
  return problems;
}
