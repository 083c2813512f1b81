import type { Core } from '@strapi/strapi';
import { getService } from '../utils/get-service';
import { subscriptionContext, type SubscriberRow } from './subscription-context';
import identityModule from './subscription-identity';
import confirmationModule from './subscription-confirmation';
import preferencesModule from './subscription-preferences';
import manageModule from './subscription-manage';
import signupModule from './subscription-signup';

export { confirmMethodOf, villagesDetail } from './subscription-context';
export type { RequestMeta, SignupAnswer, SignupInput, SignupPlan, SubscriberRow, WhatsappSender } from './subscription-context';

/**
 * Everything about one citizen's subscription, as one service: sign-up (subscription-signup.ts),
 * confirmation (subscription-confirmation.ts), the citizen's changes (subscription-preferences.ts),
 * who an address or token names (subscription-identity.ts), export, erasure and retention are
 * privacy.service.ts's.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const context = subscriptionContext(strapi);
  const { enqueueMessage } = context;
  const identity = identityModule({ strapi }, context);
  const confirmation = confirmationModule({ strapi }, context, identity);
  const preferences = preferencesModule({ strapi }, context, identity);
  const manage = manageModule({ strapi }, context, preferences);
  const signup = signupModule({ strapi }, context, identity, confirmation, preferences, manage);

  return {
    ...identity,
    ...confirmation,
    ...preferences,
    ...manage,
    ...signup,

    // Export, erasure and retention live in privacy.service.ts; these names stay for callers.
    exportSubscriber: (id: number) => getService(strapi, 'privacy').exportSubscriber(id),
    erase: (id: number) => getService(strapi, 'privacy').erase(id),
    purgeWithdrawn: (now?: Date) => getService(strapi, 'privacy').purgeWithdrawn(now),

    enqueueMessage,
  };
};
