import publicApi from './public';
import webhooks from './webhooks';
import broadcasts from './broadcasts';
import subscribersAdmin from './subscribers-admin';
import signupPage from './signup-page';
import stats from './stats';
import me from './me';
import preview from './preview';
import channelStatus from './channel-status';
import inbox from './inbox';
import sandboxPhone from './sandbox-phone';

export default {
  public: publicApi,
  webhooks,
  broadcasts,
  'subscribers-admin': subscribersAdmin,
  'signup-page': signupPage,
  stats,
  me,
  preview,
  'channel-status': channelStatus,
  inbox,
  'sandbox-phone': sandboxPhone,
};
