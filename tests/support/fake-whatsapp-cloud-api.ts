import { createHmac, randomBytes } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Meta's WhatsApp Cloud API send endpoint, for unit and integration tests.
 * It validates requests the way Meta does (token, path, required fields) and answers with
 * Meta's exact success and error shapes, so the adapter's parsing and classification are
 * exercised over real HTTP. Also builds webhook payloads serialised the way Meta signs them.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  /** Request headers without `authorization`, so recorded requests can be printed safely. */
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when it was not JSON. */
  body: unknown;
  rawBody: string;
  /** Which TCP connection carried the request; equal ids mean a kept-alive connection was reused. */
  connectionId: number;
  /** `performance.now()` when the request was complete: benchmarks measure pacing from it. */
  receivedAt: number;
  /**
   * What the fake answered; undefined for hung or dropped requests. Set when the request
   * arrives, even when latency delays writing it: like Meta, the fake has taken the message
   * the moment it read the request, whether or not the client lives to read the answer.
   */
  response?: { status: number; body: unknown };
}

export interface ScriptedError {
  status: number;
  code: number;
  /** Meta's title, e.g. "(Business Account, Consumer Account) pair rate limit hit". */
  message: string;
  details?: string;
  type?: string;
  subcode?: number;
  /** Answer this text/html body instead of Meta's error JSON, like a proxy or load balancer in front of Meta. */
  raw?: string;
}

/** Faults drawn for every send that no script matched. */
export interface FaultOptions {
  /** Share of sends (0–1) answered with one of `errors`, picked in turn. */
  failureRatio?: number;
  errors?: ScriptedError[];
  /** Every `every`-th send starts `length` consecutive answers with `error` (e.g. Meta's 130429 throughput limit). */
  burst?: { every: number; length: number; error: ScriptedError };
  /** Seed of the generator behind `failureRatio`, so a run can be repeated. */
  seed?: number;
}

export type RequestMatcher = string | ((body: Record<string, unknown>, request: RecordedRequest) => boolean);

export interface FakeCloudApi {
  baseUrl: string;
  apiVersion: string;
  requests: RecordedRequest[];
  /** Answers the next `times` matching sends with Meta's error body (§1.6). `to` digits may carry a '+'. */
  failNext(match: RequestMatcher, error: ScriptedError, times?: number): void;
  /** Reads the next matching request completely and never answers: a timeout after sending. */
  hangNext(match: RequestMatcher, times?: number): void;
  /** Reads the next matching request completely, then resets the connection. */
  dropNext(match: RequestMatcher, times?: number): void;
  /** Random and burst failures for every send no script matched; `null` switches them off. */
  setFaults(options: FaultOptions | null): void;
  /** Delays every answer by `ms`, or by what the function returns for the request. */
  setLatency(ms: number | ((request: RecordedRequest) => number)): void;
  /** TCP connections currently open to the fake. */
  openConnections(): number;
  /** The WhatsApp Business Account id the Business Management endpoints answer for. */
  businessAccountId: string;
  /** The town's templates at "Meta" (`GET/POST /<WABA_ID>/message_templates`); tests change them directly. */
  templates: FakeTemplate[];
  /** What `GET /<PHONE_NUMBER_ID>?fields=whatsapp_business_manager_messaging_limit,throughput` answers. */
  setMessagingLimit(tier: string, throughputLevel?: string): void;
  /**
   * The citizen wrote to the town (the test posted their inbound webhook): their 24-hour
   * customer-service window is open from `atMs` on, which decides Meta's pricing of what follows.
   * `entryPoint`: they came through a Click-to-WhatsApp ad or a Page button, which makes every
   * message free for 72 hours (`free_entry_point`).
   */
  customerWrote(digits: string, atMs?: number, options?: { entryPoint?: boolean }): void;
  /**
   * Meta's later billing change (reported for 2026-10, §12): service messages inside the window
   * are charged (`regular`, category `service`). Off by default, as the primary sources say.
   */
  billServiceMessages(on: boolean): void;
  /**
   * The `sent` statuses Meta would post for every message the fake accepted (from request
   * `fromIndex` on), each with the `pricing` Meta's docs give it (§6): a template is charged by
   * its category (the fake's templates, else the town's two), except a utility or authentication
   * template inside the citizen's open window (`free_customer_service`); a free-form message is
   * `service` and free inside the window. Echoes our `biz_opaque_callback_data`.
   */
  pricedStatuses(fromIndex?: number): StatusInput[];
  /** Forgets recorded requests, scripts, faults and latency; releases hung requests. */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeTemplate {
  id: string;
  name: string;
  language: string;
  status: 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED';
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  components: Array<Record<string, unknown>>;
}

/** The two templates as docs/whatsapp-setup.md words them, approved: what a town that did the setup has. */
export function approvedTownTemplates(): FakeTemplate[] {
  return [
    {
      id: '1000000000000001',
      name: 'town_news',
      language: 'de',
      status: 'APPROVED',
      category: 'MARKETING',
      components: [{ type: 'BODY', text: 'Neues aus Musterstadt: {{1}}\n\n{{2}}\n\nMehr dazu auf unserer Website. Abmelden: STOP' }],
    },
    {
      id: '1000000000000002',
      name: 'town_news_optin',
      language: 'de',
      status: 'APPROVED',
      category: 'UTILITY',
      components: [
        { type: 'BODY', text: 'Sie haben sich für die Nachrichten der Stadt Musterstadt angemeldet. Bitte bestätigen Sie mit dem Knopf unten.' },
        { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Ja, anmelden' }] },
      ],
    },
  ];
}

interface Script {
  match: RequestMatcher;
  remaining: number;
  action: { kind: 'fail'; error: ScriptedError } | { kind: 'hang' } | { kind: 'drop' };
}

const TEXT_BODY_MAX_LENGTH = 4096;

function graphError(status: number, code: number, message: string, extra: { details?: string; type?: string; subcode?: number } = {}) {
  return {
    status,
    body: {
      error: {
        message: `(#${code}) ${message}`,
        type: extra.type ?? 'OAuthException',
        code,
        ...(extra.details !== undefined ? { error_data: { messaging_product: 'whatsapp', details: extra.details } } : {}),
        ...(extra.subcode !== undefined ? { error_subcode: extra.subcode } : {}),
        fbtrace_id: randomBytes(9).toString('base64url'),
      },
    },
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const digitsOf = (value: unknown) => (typeof value === 'string' ? value.replace(/\D/g, '') : '');

/** A BSUID (`DE.1349…`, parent `DE.ENT.…`): how Meta names a citizen who has a username. */
const BSUID_PATTERN = /^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}$/;
export const isBsuid = (value: unknown): value is string => typeof value === 'string' && BSUID_PATTERN.test(value);

function matches(matcher: RequestMatcher, body: Record<string, unknown>, request: RecordedRequest): boolean {
  if (typeof matcher === 'function') return matcher(body, request);
  return isBsuid(matcher) ? body.recipient === matcher && body.to === undefined : digitsOf(matcher) === digitsOf(body.to);
}

/** Meta's checks, in Meta's order: token, object path, then the body. */
function validate(
  request: RecordedRequest,
  authorization: string | undefined,
  expected: { accessToken: string; phoneNumberId: string; apiVersion: string }
): { status: number; body: unknown } | undefined {
  if (!authorization || authorization !== `Bearer ${expected.accessToken}`) {
    return graphError(401, 190, authorization ? 'Invalid OAuth access token - Cannot parse access token' : 'An active access token must be used to query information about the current user.', {
      details: 'Authentication failed',
    });
  }
  const sendPaths = [`/${expected.apiVersion}/${expected.phoneNumberId}/messages`, `/${expected.apiVersion}/${expected.phoneNumberId}/marketing_messages`];
  if (request.method !== 'POST' || !sendPaths.includes(request.path)) {
    return graphError(400, 100, `Unsupported ${request.method.toLowerCase()} request. Object with ID does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, {
      type: 'GraphMethodException',
      subcode: 33,
    });
  }
  const body = request.body;
  if (!isRecord(body)) return graphError(400, 100, 'Invalid parameter', { details: 'Request body is not valid JSON' });
  // Since the BSUID rollout: `to` takes a phone number, `recipient` a BSUID; one of them is required.
  if (body.to === undefined && body.recipient === undefined) return graphError(400, 100, 'Invalid parameter', { details: 'The parameter to is required.' });
  if (body.to !== undefined && (typeof body.to !== 'string' || !/^\+?\d{6,15}$/.test(body.to))) {
    return graphError(400, 131009, 'Parameter value is not valid', { details: 'to must be a phone number' });
  }
  if (body.to === undefined && !isBsuid(body.recipient)) return graphError(400, 131009, 'Parameter value is not valid', { details: 'recipient must be a business-scoped user ID' });
  for (const field of ['messaging_product', 'type'] as const) {
    if (typeof body[field] !== 'string' || !body[field]) return graphError(400, 100, 'Invalid parameter', { details: `The parameter ${field} is required.` });
  }
  if (body.messaging_product !== 'whatsapp') return graphError(400, 100, 'Invalid parameter', { details: 'messaging_product must be whatsapp' });
  if (body.type === 'template') {
    const template = body.template;
    const language = isRecord(template) ? template.language : undefined;
    if (!isRecord(template) || typeof template.name !== 'string' || !isRecord(language) || typeof language.code !== 'string') {
      return graphError(400, 131008, 'Required parameter is missing', { details: 'template name and language.code are required' });
    }
  }
  if (body.type === 'text') {
    const text = body.text;
    if (!isRecord(text) || typeof text.body !== 'string') return graphError(400, 131008, 'Required parameter is missing', { details: 'text.body is required' });
    if (text.body.length > TEXT_BODY_MAX_LENGTH) return graphError(400, 100, 'Invalid parameter', { details: `Param text['body'] must be at most ${TEXT_BODY_MAX_LENGTH} characters long.` });
  }
  return undefined;
}

function successBody(message: Record<string, unknown>) {
  // `to` wins over `recipient` (Meta); a BSUID-only send answers `user_id` instead of `wa_id`.
  const byNumber = typeof message.to === 'string';
  const input = String(byNumber ? message.to : message.recipient);
  const waId = input.replace(/^\+/, '');
  const id = `wamid.${Buffer.from(`${waId}:${randomBytes(12).toString('hex')}`).toString('base64')}`;
  return {
    messaging_product: 'whatsapp',
    contacts: [byNumber ? { input, wa_id: waId } : { input, user_id: input }],
    messages: [message.type === 'template' ? { id, message_status: 'accepted' } : { id }],
  };
}

/** A small seeded generator (mulberry32): the same seed gives the same failure pattern. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function errorAnswer(error: ScriptedError): { status: number; body: unknown; raw?: string } {
  if (error.raw !== undefined) return { status: error.status, body: undefined, raw: error.raw };
  return graphError(error.status, error.code, error.message, { ...error, details: error.details ?? error.message });
}

/** Starts the fake on 127.0.0.1 with a random port. */
export async function startFakeWhatsappCloudApi(options: { accessToken: string; phoneNumberId: string; apiVersion?: string; businessAccountId?: string }): Promise<FakeCloudApi> {
  const expected = { ...options, apiVersion: options.apiVersion ?? 'v24.0' };
  const businessAccountId = options.businessAccountId ?? DEFAULT_BUSINESS_ACCOUNT_ID;
  const templates: FakeTemplate[] = [];
  let messagingLimit = { tier: 'TIER_250', throughputLevel: 'STANDARD' };
  let templateIds = 2_000_000_000_000_000;
  const requests: RecordedRequest[] = [];
  /** Meta's pricing of each accepted send, decided when it was accepted (the window is read then). */
  const pricingOfSend = new WeakMap<RecordedRequest, NonNullable<StatusInput['pricing']>>();
  const windowOpenedAt = new Map<string, number>();
  const entryPointAt = new Map<string, number>();
  let serviceBillable = false;
  let scripts: Script[] = [];
  const hung = new Set<ServerResponse>();
  const connectionIds = new WeakMap<object, number>();
  const openSockets = new Set<object>();
  let connectionCount = 0;
  let latency: (request: RecordedRequest) => number = () => 0;
  const delayed = new Map<NodeJS.Timeout, () => void>();
  let faults: { options: FaultOptions; random: () => number; sends: number; burstLeft: number; nextError: number } | null = null;

  const reply = (res: ServerResponse, recorded: RecordedRequest, answer: { status: number; body: unknown; raw?: string }) => {
    recorded.response = { status: answer.status, body: answer.raw ?? answer.body };
    const write = () => {
      if (res.destroyed || res.writableEnded) return;
      if (answer.raw !== undefined) {
        res.writeHead(answer.status, { 'content-type': 'text/html; charset=UTF-8' });
        res.end(answer.raw);
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(answer.body));
    };
    const wait = latency(recorded);
    if (wait <= 0) return write();
    const timer = setTimeout(() => {
      delayed.delete(timer);
      write();
    }, wait);
    delayed.set(timer, write);
  };

  /** The fault, if any, for a send that no script matched. */
  const drawFault = (): ScriptedError | undefined => {
    if (!faults) return undefined;
    const { options } = faults;
    faults.sends += 1;
    if (options.burst && faults.burstLeft === 0 && faults.sends % options.burst.every === 0) faults.burstLeft = options.burst.length;
    if (options.burst && faults.burstLeft > 0) {
      faults.burstLeft -= 1;
      return options.burst.error;
    }
    const errors = options.errors ?? [];
    if (errors.length && faults.random() < (options.failureRatio ?? 0)) {
      faults.nextError = (faults.nextError + 1) % errors.length;
      return errors[faults.nextError];
    }
    return undefined;
  };

  /**
   * Meta's Business Management side: the WABA's templates and the phone number's limits. Answers
   * undefined for every other request, which then goes through the send checks.
   */
  const businessManagement = (request: RecordedRequest, authorization: string | undefined): { status: number; body: unknown } | undefined => {
    const templatesPath = `/${expected.apiVersion}/${businessAccountId}/message_templates`;
    const phonePath = `/${expected.apiVersion}/${expected.phoneNumberId}`;
    if (request.path !== templatesPath && !(request.path === phonePath && request.method === 'GET')) return undefined;
    if (!authorization || authorization !== `Bearer ${expected.accessToken}`) {
      return graphError(401, 190, 'Invalid OAuth access token - Cannot parse access token', { details: 'Authentication failed' });
    }
    if (request.path === phonePath) {
      return { status: 200, body: { whatsapp_business_manager_messaging_limit: messagingLimit.tier, throughput: { level: messagingLimit.throughputLevel }, id: expected.phoneNumberId } };
    }
    if (request.method === 'GET') {
      return { status: 200, body: { data: templates.map((template) => ({ ...template })), paging: { cursors: { before: 'MAZDZD', after: 'MjQZD' } } } };
    }
    if (request.method !== 'POST') return graphError(400, 100, 'Unsupported request', { type: 'GraphMethodException', subcode: 33 });
    const body = isRecord(request.body) ? request.body : {};
    const name = typeof body.name === 'string' ? body.name : '';
    if (!/^[a-z0-9_]{1,512}$/.test(name) || typeof body.language !== 'string' || !['MARKETING', 'UTILITY', 'AUTHENTICATION'].includes(String(body.category)) || !Array.isArray(body.components)) {
      return graphError(400, 100, 'Invalid parameter', { details: 'name (lowercase, underscores), language, category and components are required' });
    }
    const components = body.components.filter(isRecord);
    // Meta: variables need examples (§2.3).
    const bodyComponent = components.find((component) => component.type === 'BODY');
    if (typeof bodyComponent?.text === 'string' && /\{\{/.test(bodyComponent.text) && !isRecord(bodyComponent.example)) {
      return graphError(400, 100, 'Invalid parameter', { details: 'Variables in the body need an example.' });
    }
    if (templates.some((template) => template.name === name && template.language === body.language)) {
      return graphError(400, 100, 'Invalid parameter', { details: 'Content in this language already exists.', subcode: 2388024 });
    }
    templateIds += 1;
    const created: FakeTemplate = { id: String(templateIds), name, language: body.language, status: 'PENDING', category: body.category as FakeTemplate['category'], components };
    templates.push(created);
    return { status: 200, body: { id: created.id, status: created.status, category: created.category } };
  };

  const handle = (req: IncomingMessage, res: ServerResponse, rawBody: string) => {
    const { authorization, ...headers } = req.headers;
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0],
      headers,
      body,
      rawBody,
      connectionId: connectionIds.get(req.socket) ?? 0,
      receivedAt: performance.now(),
    };
    requests.push(recorded);

    const management = businessManagement(recorded, authorization);
    if (management) return reply(res, recorded, management);

    const invalid = validate(recorded, authorization, expected);
    if (invalid) return reply(res, recorded, invalid);

    const message = body as Record<string, unknown>;
    const script = scripts.find((candidate) => candidate.remaining > 0 && matches(candidate.match, message, recorded));
    if (script) {
      script.remaining -= 1;
      const { action } = script;
      if (action.kind === 'hang') {
        hung.add(res);
        return;
      }
      if (action.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      return reply(res, recorded, errorAnswer(action.error));
    }
    const fault = drawFault();
    if (fault) return reply(res, recorded, errorAnswer(fault));
    pricingOfSend.set(recorded, metaPricing(message));
    return reply(res, recorded, { status: 200, body: successBody(message) });
  };

  const WINDOW_MS = 24 * 3_600_000;
  /** §6: what Meta charges for this message, given the recipient's window right now. */
  const metaPricing = (message: Record<string, unknown>): NonNullable<StatusInput['pricing']> => {
    const digits = String(message.to ?? message.recipient ?? '').replace(/^\+/, '');
    const opened = windowOpenedAt.get(digits);
    const windowOpen = opened !== undefined && Date.now() - opened < WINDOW_MS && Date.now() >= opened;
    const entered = entryPointAt.get(digits);
    const charged = (category: string) => ({ billable: true, pricing_model: 'PMP', type: 'regular', category });
    const category = message.type === 'template' ? undefined : 'service';
    if (entered !== undefined && Date.now() >= entered && Date.now() - entered < 72 * 3_600_000) {
      const template = isRecord(message.template) ? message.template : {};
      const known = [...templates, ...approvedTownTemplates()].find((candidate) => candidate.name === template.name);
      return { billable: false, pricing_model: 'PMP', type: 'free_entry_point', category: category ?? (known?.category ?? 'MARKETING').toLowerCase() };
    }
    const free = (category: string) => ({ billable: false, pricing_model: 'PMP', type: 'free_customer_service', category });
    if (message.type === 'template') {
      const template = isRecord(message.template) ? message.template : {};
      const language = isRecord(template.language) ? template.language.code : undefined;
      const known = [...templates, ...approvedTownTemplates()].find((candidate) => candidate.name === template.name && (language === undefined || candidate.language === language)) ??
        [...templates, ...approvedTownTemplates()].find((candidate) => candidate.name === template.name);
      const category = (known?.category ?? 'MARKETING').toLowerCase();
      // Marketing is charged inside the window too; utility and authentication are free in it.
      return category !== 'marketing' && windowOpen ? free(category) : charged(category);
    }
    return serviceBillable ? charged('service') : free('service');
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  // Idle connections stay open longer than any pause a test makes (a simulated day is 8 s). With Node's
  // default (5 s, plus a second of grace: closed after 6 s) the fake closed a connection just as the
  // client reused it after such a pause, and the reset send was retried as one more attempt
  // (broadcast-reach-days, 3 of 6 runs on Node 24). That race is tests/unit/stale-keep-alive.test.ts's subject.
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => {
    connectionCount += 1;
    connectionIds.set(socket, connectionCount);
    openSockets.add(socket);
    socket.on('close', () => openSockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const releaseHung = () => {
    for (const res of hung) res.destroy();
    hung.clear();
    // Delayed answers are written at once: the fake had already decided them.
    for (const [timer, write] of delayed) {
      clearTimeout(timer);
      write();
    }
    delayed.clear();
  };
  const addScript = (match: RequestMatcher, action: Script['action'], times: number) => {
    scripts.push({ match, action, remaining: times });
  };

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    apiVersion: expected.apiVersion,
    requests,
    failNext(match, error, times = 1) {
      addScript(match, { kind: 'fail', error }, times);
    },
    hangNext(match, times = 1) {
      addScript(match, { kind: 'hang' }, times);
    },
    dropNext(match, times = 1) {
      addScript(match, { kind: 'drop' }, times);
    },
    setFaults(options) {
      faults = options ? { options, random: seededRandom(options.seed ?? 1), sends: 0, burstLeft: 0, nextError: -1 } : null;
    },
    setLatency(ms) {
      latency = typeof ms === 'function' ? ms : () => ms;
    },
    openConnections() {
      return openSockets.size;
    },
    businessAccountId,
    templates,
    setMessagingLimit(tier, throughputLevel = 'STANDARD') {
      messagingLimit = { tier, throughputLevel };
    },
    customerWrote(digits, atMs = Date.now(), options = {}) {
      windowOpenedAt.set(digits.replace(/^\+/, ''), atMs);
      if (options.entryPoint) entryPointAt.set(digits.replace(/^\+/, ''), atMs);
    },
    billServiceMessages(on) {
      serviceBillable = on;
    },
    pricedStatuses(fromIndex = 0) {
      return requests.slice(fromIndex).flatMap((request) => {
        const pricing = pricingOfSend.get(request);
        const body = request.body as Record<string, unknown>;
        const answer = request.response?.body as { messages?: Array<{ id: string }> } | undefined;
        const id = answer?.messages?.[0]?.id;
        if (!pricing || request.response?.status !== 200 || !id) return [];
        const ref = typeof body.biz_opaque_callback_data === 'string' ? body.biz_opaque_callback_data : undefined;
        return [{ id, status: 'sent' as const, recipientDigits: String(body.to ?? body.recipient), ...(ref !== undefined ? { deliveryRef: ref } : {}), pricing }];
      });
    },
    reset() {
      requests.length = 0;
      windowOpenedAt.clear();
      entryPointAt.clear();
      serviceBillable = false;
      scripts = [];
      faults = null;
      latency = () => 0;
      releaseHung();
    },
    async close() {
      releaseHung();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Webhooks, shaped like reference §4.4 and serialised like Meta serialises them.

const DEFAULT_BUSINESS_ACCOUNT_ID = '102290129340398';
const DEFAULT_METADATA = { display_phone_number: '4989123456', phone_number_id: '106540352242922' };

export interface WebhookOptions {
  phoneNumberId?: string;
  displayPhoneNumber?: string;
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  /** Message id (wamid) of the inbound message. */
  id?: string;
  profileName?: string;
  /**
   * The citizen's BSUID, sent as v25+ payloads do (`contacts[].user_id`, `from_user_id`). With
   * an empty `fromDigits` the payload has no number at all: a citizen who set a username.
   */
  userId?: string;
  /** `contacts[].profile.username`, for citizens who set one. */
  username?: string;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const fakeWamid = () => `wamid.${randomBytes(24).toString('base64')}`;

function envelope<Value extends Record<string, unknown>>(value: Value, field: string, options: WebhookOptions = {}) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: DEFAULT_BUSINESS_ACCOUNT_ID,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: options.displayPhoneNumber ?? DEFAULT_METADATA.display_phone_number,
                phone_number_id: options.phoneNumberId ?? DEFAULT_METADATA.phone_number_id,
              },
              ...value,
            },
            field,
          },
        ],
      },
    ],
  };
}

export interface WebhookErrorInput {
  code: number;
  title: string;
  details?: string;
}

function webhookError(error: WebhookErrorInput) {
  return {
    code: error.code,
    title: error.title,
    message: error.title,
    error_data: { details: error.details ?? error.title },
    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
  };
}

export interface StatusInput {
  /** The wamid returned when the message was sent. */
  id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed' | 'played' | 'deleted';
  /** The number the message went to, or the BSUID for a send by `recipient`. */
  recipientDigits: string;
  timestamp?: number;
  /** Echo of the `biz_opaque_callback_data` sent with the message. */
  deliveryRef?: string;
  errors?: WebhookErrorInput[];
  /**
   * Meta's `pricing` object; by default `sent` carries a utility, billable one. `null` leaves it
   * out (Meta sends it on `sent` and on one of `delivered`/`read` only).
   */
  pricing?: { billable?: boolean; pricing_model?: string; type?: string; category?: string } | null;
}

function pricingFor(status: StatusInput) {
  if (status.pricing === null) return {};
  if (status.pricing) return { pricing: status.pricing };
  return status.status === 'sent' ? { pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' } } : {};
}

/** A (possibly batched) status webhook, like §4.4 (d) and (e). */
export function statusWebhook(statuses: StatusInput[], options: WebhookOptions = {}) {
  return envelope(
    {
      statuses: statuses.map((status) => ({
        id: status.id,
        status: status.status,
        timestamp: String(status.timestamp ?? options.timestamp ?? nowSeconds()),
        ...(isBsuid(status.recipientDigits) ? { recipient_user_id: status.recipientDigits } : { recipient_id: String(status.recipientDigits).replace(/^\+/, '') }),
        ...(status.deliveryRef !== undefined ? { biz_opaque_callback_data: status.deliveryRef } : {}),
        ...pricingFor(status),
        ...(status.errors ? { errors: status.errors.map(webhookError) } : {}),
      })),
    },
    'messages',
    options
  );
}

function inboundMessage(fromDigits: string, message: Record<string, unknown>, options: WebhookOptions) {
  const from = fromDigits.replace(/^\+/, '');
  const profile = { name: options.profileName ?? 'Erika Mustermann', ...(options.username ? { username: options.username } : {}) };
  return envelope(
    {
      contacts: [{ profile, ...(from ? { wa_id: from } : {}), ...(options.userId ? { user_id: options.userId } : {}) }],
      messages: [
        {
          ...(from ? { from } : {}),
          ...(options.userId ? { from_user_id: options.userId } : {}),
          id: options.id ?? fakeWamid(),
          timestamp: String(options.timestamp ?? nowSeconds()),
          ...message,
        },
      ],
    },
    'messages',
    options
  );
}

/** A citizen's free-text message, like §4.4 (a). */
export function inboundTextWebhook(fromDigits: string, text: string, options: WebhookOptions = {}) {
  return inboundMessage(fromDigits, { type: 'text', text: { body: text } }, options);
}

/** A tap on a template quick-reply button, like §4.4 (b). */
export function buttonReplyWebhook(fromDigits: string, payload: string, options: WebhookOptions & { label?: string; contextId?: string } = {}) {
  return inboundMessage(
    fromDigits,
    {
      context: { from: options.displayPhoneNumber ?? DEFAULT_METADATA.display_phone_number, id: options.contextId ?? fakeWamid() },
      type: 'button',
      button: { payload, text: options.label ?? 'Ja' },
    },
    options
  );
}

/** A tap on an interactive reply button, like §4.4 (c). */
export function interactiveReplyWebhook(fromDigits: string, buttonId: string, title: string, options: WebhookOptions = {}) {
  return inboundMessage(fromDigits, { type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: buttonId, title } } }, options);
}

/** The in-app marketing stop/resume, like §4.4 (g). */
export function userPreferenceWebhook(fromDigits: string, value: 'stop' | 'resume', options: WebhookOptions = {}) {
  const waId = fromDigits.replace(/^\+/, '');
  const ids = { ...(waId ? { wa_id: waId } : {}), ...(options.userId ? { user_id: options.userId } : {}) };
  return envelope(
    {
      contacts: [ids],
      user_preferences: [
        {
          ...ids,
          detail: value === 'stop' ? 'User requested to stop marketing messages' : 'User requested to resume marketing messages',
          category: 'marketing_messages',
          value,
          timestamp: options.timestamp ?? nowSeconds(),
        },
      ],
    },
    'user_preferences',
    options
  );
}

/** `user_id_update`: WhatsApp gave a citizen a new BSUID (e.g. after a new phone number). */
export function userIdUpdateWebhook(previous: string, current: string, options: WebhookOptions & { phoneDigits?: string } = {}) {
  const waId = options.phoneDigits?.replace(/^\+/, '');
  return envelope(
    {
      user_id_update: [
        {
          ...(waId ? { wa_id: waId } : {}),
          detail: 'User ID updated',
          user_id: { previous, current },
          timestamp: String(options.timestamp ?? nowSeconds()),
        },
      ],
    },
    'user_id_update',
    options
  );
}

/** `message_template_status_update`: Meta approved, rejected, paused or disabled a template. */
export function templateStatusWebhook(template: { id?: string; name: string; language?: string }, event: string, reason = 'NONE', options: WebhookOptions = {}) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: DEFAULT_BUSINESS_ACCOUNT_ID,
        time: options.timestamp ?? nowSeconds(),
        changes: [
          {
            value: { event, message_template_id: Number(template.id ?? 1), message_template_name: template.name, message_template_language: template.language ?? 'de', reason },
            field: 'message_template_status_update',
          },
        ],
      },
    ],
  };
}

/** `template_category_update`: Meta re-categorised an approved template (e.g. UTILITY → MARKETING). */
export function templateCategoryWebhook(template: { id?: string; name: string; language?: string }, previous: string, next: string, options: WebhookOptions = {}) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: DEFAULT_BUSINESS_ACCOUNT_ID,
        time: options.timestamp ?? nowSeconds(),
        changes: [
          {
            value: { message_template_id: Number(template.id ?? 1), message_template_name: template.name, message_template_language: template.language ?? 'de', previous_category: previous, new_category: next },
            field: 'template_category_update',
          },
        ],
      },
    ],
  };
}

/** An account-level error without statuses, like §4.4 (f). */
export function accountErrorWebhook(errors: WebhookErrorInput[], options: WebhookOptions = {}) {
  return envelope({ errors: errors.map(webhookError) }, 'messages', options);
}

/**
 * JSON as Meta puts it on the wire: every non-ASCII UTF-16 unit as a lowercase `\uXXXX`
 * escape and `/` as `\/`. A handler that verifies a re-serialised body instead of the raw
 * bytes computes a different HMAC as soon as an umlaut or a URL appears.
 */
export function toMetaJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u0080-\uffff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The `X-Hub-Signature-256` header value Meta would send with `rawBody`. */
export function signWebhook(rawBody: string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody, 'utf8').digest('hex')}`;
}

/** A webhook request as Meta sends it: the raw body and its headers. */
export function signedWebhookRequest(payload: unknown, appSecret: string): { rawBody: string; headers: Record<string, string> } {
  const rawBody = toMetaJson(payload);
  return {
    rawBody,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhook(rawBody, appSecret) },
  };
}
