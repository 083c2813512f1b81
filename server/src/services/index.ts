import runtime from './runtime';
import subscriptions from '../subscribers/subscriptions.service';
import consentLedger from '../subscribers/consent-ledger.service';
import privacy from '../subscribers/privacy.service';
import announcements from '../announcements/announcements.service';
import fanOut from '../fan-out/fan-out.service';
import delivery from '../delivery/delivery.service';
import dispatch from '../dispatch/dispatch.service';
import publishOutbox from '../dispatch/publish-outbox.service';
import messages from '../messages/messages.service';
import webhookEvents from '../webhooks/webhook-events.service';
import inboundCommands from '../webhooks/inbound-commands.service';
import workers from '../workers/workers.service';
import feed from '../feed/feed.service';
import stats from '../stats/stats.service';
import audience from '../announcements/audience.service';
import preview from '../announcements/preview.service';
import broadcastInsights from '../announcements/broadcast-insights.service';
import followUps from '../announcements/follow-ups.service';
import channelStatus from '../channels/channel-status.service';
import inbox from '../inbox/inbox.service';
import sandboxPhone from '../sandbox/sandbox-phone.service';
import costs from '../costs/costs.service';
import budget from '../costs/budget.service';
import whatsappAccount from '../whatsapp-account/whatsapp-account.service';
import officialWarnings from '../warnings/warnings.service';
import audit from '../audit/audit.service';
import whatsappChannel from '../whatsapp-channel/handoff.service';
import approval from '../approval/approval.service';

/** Read in data-path order: signup → announcement → fan-out → delivery → webhooks. */
export default {
  runtime,
  subscriptions,
  'consent-ledger': consentLedger,
  privacy,
  announcements,
  'fan-out': fanOut,
  delivery,
  dispatch,
  'publish-outbox': publishOutbox,
  messages,
  'webhook-events': webhookEvents,
  'inbound-commands': inboundCommands,
  workers,
  feed,
  stats,
  audience,
  preview,
  'broadcast-insights': broadcastInsights,
  'follow-ups': followUps,
  'channel-status': channelStatus,
  inbox,
  'sandbox-phone': sandboxPhone,
  costs,
  budget,
  'whatsapp-account': whatsappAccount,
  'official-warnings': officialWarnings,
  audit,
  'whatsapp-channel': whatsappChannel,
  approval,
};
