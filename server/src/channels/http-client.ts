import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';

/**
 * The HTTP client every provider adapter uses: keep-alive agents (a broadcast is thousands of
 * requests to one host) and no redirects — a provider's send endpoint never redirects, and without
 * follow-redirects an error carries the real ClientRequest, which tells a timeout before sending
 * from one after.
 */
export function createProviderClient(options: { baseUrl: string; timeoutMs: number; headers?: Record<string, string> }): {
  client: AxiosInstance;
  close(): void;
} {
  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({ keepAlive: true });
  const client = axios.create({
    baseURL: options.baseUrl,
    timeout: options.timeoutMs,
    httpAgent,
    httpsAgent,
    maxRedirects: 0,
    headers: { 'Content-Type': 'application/json', ...options.headers },
  });
  return {
    client,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
