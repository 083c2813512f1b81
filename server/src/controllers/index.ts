import publicApi from './public';
import webhooks from './webhooks';
import broadcasts from './broadcasts';
import subscribersAdmin from './subscribers-admin';
import signupPage from './signup-page';
import feed from './feed';

export default {
  public: publicApi,
  webhooks,
  broadcasts,
  'subscribers-admin': subscribersAdmin,
  'signup-page': signupPage,
  feed,
};
