import topic from './topic/schema';
import subscriber from './subscriber/schema';
import consentEvent from './consent-event/schema';
import announcement from './announcement/schema';
import delivery from './delivery/schema';
import inboundMessage from './inbound-message/schema';
import outboxMessage from './outbox-message/schema';
import broadcastRun from './broadcast-run/schema';

export default {
  topic: { schema: topic },
  subscriber: { schema: subscriber },
  'consent-event': { schema: consentEvent },
  announcement: { schema: announcement },
  delivery: { schema: delivery },
  'inbound-message': { schema: inboundMessage },
  'outbox-message': { schema: outboxMessage },
  'broadcast-run': { schema: broadcastRun },
};
