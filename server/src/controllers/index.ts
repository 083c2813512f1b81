import publicApi from './public';
import webhooks from './webhooks';
import broadcasts from './broadcasts';
import subscribersAdmin from './subscribers-admin';
import signupPage from './signup-page';
import stats from './stats';
import me from './me';

export default {
  public: publicApi,
  webhooks,
  broadcasts,
  'subscribers-admin': subscribersAdmin,
  'signup-page': signupPage,
  stats,
  me,
};
