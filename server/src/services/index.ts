import runtime from './runtime';
import subscriptions from '../subscribers/subscriptions.service';
import consentLedger from '../subscribers/consent-ledger.service';
import announcements from '../announcements/announcements.service';
import fanOut from '../fan-out/fan-out.service';
import delivery from '../delivery/delivery.service';
import messages from '../messages/messages.service';
import webhookEvents from '../webhooks/webhook-events.service';
import inboundCommands from '../webhooks/inbound-commands.service';
import workers from '../workers/workers.service';
import stats from '../stats/stats.service';

/** Read in data-path order: signup → announcement → fan-out → delivery → webhooks. */
export default {
  runtime,
  subscriptions,
  'consent-ledger': consentLedger,
  announcements,
  'fan-out': fanOut,
  delivery,
  messages,
  'webhook-events': webhookEvents,
  'inbound-commands': inboundCommands,
  workers,
  stats,
};
