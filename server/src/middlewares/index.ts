import rateLimit from './rate-limit';
import bodyLimit from './body-limit';
import errorAnswers from './error-answers';

export default { 'rate-limit': rateLimit, 'body-limit': bodyLimit, 'error-answers': errorAnswers };
