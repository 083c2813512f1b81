import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake of NINA's API at `https://warnung.bund.de/api31`, with the paths and shapes of the
 * published OpenAPI description (bundesAPI/nina-api, openapi.yaml):
 * - `GET /dashboard/{ARS}.json` (district ARS, last seven digits zero): `ARSOverviewResult`, a list of
 *   `{ id, payload: { version, type, id, hash, data: { headline, provider, severity, msgType,
 *   transKeys: { event }, area: { type, data } } }, i18nTitle: { de }, sent }`;
 * - `GET /warnings/{identifier}.json`: `Warning`, the CAP message: `identifier, sender, sent, status,
 *   msgType, scope, code, info: [{ category, event, urgency, severity, certainty, headline,
 *   description, instruction, senderName, web, expires, area: [{ areaDesc, geocode: [{ valueName, value }] }] }]`.
 * An update keeps the identifier and raises `payload.version` (msgType Update); a cancel does
 * the same with msgType Cancel. ETag on the dashboard, 304 on a matching If-None-Match; 500 on demand.
 */
export interface NinaWarningSpec {
  id: string;
  headline: string;
  severity: 'Minor' | 'Moderate' | 'Severe' | 'Extreme';
  /** ARS codes of the warning's areas (12 digits). */
  areaCodes: string[];
  areaDesc: string;
  description?: string;
  event?: string;
  expires?: string;
}

interface Stored extends NinaWarningSpec {
  version: number;
  msgType: 'Alert' | 'Update' | 'Cancel';
  sent: string;
}

export interface FakeNina {
  baseUrl: string;
  alert(warning: NinaWarningSpec): void;
  update(id: string, changes: Partial<NinaWarningSpec>): void;
  cancel(id: string): void;
  failWith(status: number | null): void;
  requests: Array<{ path: string; status: number }>;
  close(): Promise<void>;
}

export async function startFakeNina(): Promise<FakeNina> {
  const warnings = new Map<string, Stored>();
  let failing: number | null = null;
  const requests: FakeNina['requests'] = [];
  const sent = () => new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00');

  const dashboard = () =>
    [...warnings.values()].map((warning) => ({
      id: warning.id,
      payload: {
        version: warning.version,
        type: 'ALERT',
        id: warning.id,
        hash: createHash('sha256').update(JSON.stringify(warning)).digest('hex'),
        data: { headline: warning.headline, provider: 'MOWAS', severity: warning.severity, msgType: warning.msgType, transKeys: { event: 'BBK-EVC-001' }, area: { type: 'ZGEM', data: warning.areaCodes.join('+') } },
      },
      i18nTitle: { de: warning.headline },
      sent: warning.sent,
    }));

  const cap = (warning: Stored) => ({
    identifier: warning.id,
    sender: 'DE-SH-OH-W001',
    sent: warning.sent,
    status: 'Actual',
    msgType: warning.msgType,
    scope: 'Public',
    code: ['DVN:2', 'medien_ueberregional'],
    info: [
      {
        language: 'DE',
        category: ['Safety'],
        event: warning.event ?? 'Gefahreninformation',
        urgency: 'Immediate',
        severity: warning.severity,
        certainty: 'Observed',
        headline: warning.headline,
        description: warning.description ?? 'Es ist etwas passiert.<br/>Weitere Informationen folgen.',
        instruction: 'Meiden Sie das Gebiet.',
        senderName: 'Leitstelle Ostholstein',
        ...(warning.expires ? { expires: warning.expires } : {}),
        area: [{ areaDesc: warning.areaDesc, geocode: warning.areaCodes.map((value) => ({ valueName: 'ARS', value })) }],
      },
    ],
  });

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '').split('?')[0];
    const reply = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      requests.push({ path, status });
      response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body === undefined ? undefined : JSON.stringify(body));
    };
    if (failing) return reply(failing, { error: 'Internal Server Error' });
    const dashboardMatch = /^\/api31\/dashboard\/(\d{12})\.json$/.exec(path);
    if (dashboardMatch) {
      const body = dashboard();
      const etag = `"${createHash('sha1').update(JSON.stringify(body)).digest('hex').slice(0, 16)}"`;
      if (request.headers['if-none-match'] === etag) return reply(304, undefined, { etag });
      return reply(200, body, { etag });
    }
    const warningMatch = /^\/api31\/warnings\/(.+)\.json$/.exec(path);
    if (warningMatch) {
      const warning = warnings.get(decodeURIComponent(warningMatch[1]));
      return warning ? reply(200, cap(warning)) : reply(404, { error: 'not found' });
    }
    reply(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    baseUrl: `http://127.0.0.1:${port}/api31`,
    alert(warning) {
      warnings.set(warning.id, { ...warning, version: 1, msgType: 'Alert', sent: sent() });
    },
    update(id, changes) {
      const warning = warnings.get(id)!;
      warnings.set(id, { ...warning, ...changes, version: warning.version + 1, msgType: 'Update', sent: sent() });
    },
    cancel(id) {
      const warning = warnings.get(id)!;
      warnings.set(id, { ...warning, version: warning.version + 1, msgType: 'Cancel', sent: sent() });
    },
    failWith(status) {
      failing = status;
    },
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
