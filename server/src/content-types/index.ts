import topic from './topic/schema';
import subscriber from './subscriber/schema';
import consentEvent from './consent-event/schema';
import announcement from './announcement/schema';
import delivery from './delivery/schema';
import inboundMessage from './inbound-message/schema';
import outboxMessage from './outbox-message/schema';
import inboundWebhook from './inbound-webhook/schema';
import outgoingMessage from './outgoing-message/schema';
import templateEvent from './template-event/schema';
import broadcastRun from './broadcast-run/schema';
import followUpMark from './follow-up-mark/schema';
import deliveryTally from './delivery-tally/schema';
import publishIntent from './publish-intent/schema';
import officialWarning from './official-warning/schema';
import warningSource from './warning-source/schema';
import messagePricing from './message-pricing/schema';
import budgetAlert from './budget-alert/schema';
import auditEvent from './audit-event/schema';
import channelHandoff from './channel-handoff/schema';
import approval from './approval/schema';

export default {
  topic: { schema: topic },
  subscriber: { schema: subscriber },
  'consent-event': { schema: consentEvent },
  announcement: { schema: announcement },
  delivery: { schema: delivery },
  'inbound-message': { schema: inboundMessage },
  'outbox-message': { schema: outboxMessage },
  'inbound-webhook': { schema: inboundWebhook },
  'outgoing-message': { schema: outgoingMessage },
  'template-event': { schema: templateEvent },
  'broadcast-run': { schema: broadcastRun },
  'follow-up-mark': { schema: followUpMark },
  'delivery-tally': { schema: deliveryTally },
  'publish-intent': { schema: publishIntent },
  'official-warning': { schema: officialWarning },
  'warning-source': { schema: warningSource },
  'message-pricing': { schema: messagePricing },
  'budget-alert': { schema: budgetAlert },
  'audit-event': { schema: auditEvent },
  'channel-handoff': { schema: channelHandoff },
  approval: { schema: approval },
};
