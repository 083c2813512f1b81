import rateLimit from './rate-limit';
import bodyLimit from './body-limit';
import errorAnswers from './error-answers';
import activitypub from './activitypub';

export default { 'rate-limit': rateLimit, 'body-limit': bodyLimit, 'error-answers': errorAnswers, activitypub };
