import publicApi from './public';
import webhooks from './webhooks';
import broadcasts from './broadcasts';
import subscribersAdmin from './subscribers-admin';
import signupPage from './signup-page';
import feed from './feed';
import stats from './stats';
import me from './me';
import preview from './preview';
import channelStatus from './channel-status';
import inbox from './inbox';
import sandboxPhone from './sandbox-phone';
import followUps from './follow-ups';
import warnings from './warnings';
import audit from './audit';

export default {
  public: publicApi,
  webhooks,
  broadcasts,
  'subscribers-admin': subscribersAdmin,
  'signup-page': signupPage,
  feed,
  stats,
  me,
  preview,
  'channel-status': channelStatus,
  inbox,
  'sandbox-phone': sandboxPhone,
  'follow-ups': followUps,
  warnings,
  audit,
};
