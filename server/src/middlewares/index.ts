import rateLimit from './rate-limit';
import bodyLimit from './body-limit';

export default { 'rate-limit': rateLimit, 'body-limit': bodyLimit };
