import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the Telegram Bot API, in the spirit of the fake WhatsApp Cloud API: a real
 * HTTP server on Telegram's paths (`/bot<token>/sendMessage`), checking the token and the
 * request the way Telegram does, answering with Telegram's exact success and error shapes,
 * recording every request, and failing scripted requests.
 */

export interface TelegramRecordedRequest {
  method: string;
  /** The Bot API method, e.g. `sendMessage`. */
  apiMethod: string;
  body: Record<string, unknown> | undefined;
  connectionId: number;
  at: number;
  response: { status: number; body: unknown };
}

export interface TelegramScriptedError {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

export const TELEGRAM_ERRORS = {
  blocked: { error_code: 403, description: 'Forbidden: bot was blocked by the user' },
  chatNotFound: { error_code: 400, description: 'Bad Request: chat not found' },
  tooManyRequests: (retryAfter: number) => ({ error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } }),
  unauthorized: { error_code: 401, description: 'Unauthorized' },
  internal: { error_code: 500, description: 'Internal Server Error' },
} satisfies Record<string, TelegramScriptedError | ((n: number) => TelegramScriptedError)>;

export interface FakeTelegramBotApi {
  baseUrl: string;
  requests: TelegramRecordedRequest[];
  /** Successful `sendMessage` calls to one chat. */
  sentTo(chatId: string | number): Array<TelegramRecordedRequest & { body: Record<string, unknown> }>;
  /** Answers the next `times` sends to `chatId` with a Bot API error. */
  failNext(chatId: string | number, error: TelegramScriptedError, times?: number): void;
  reset(): void;
  close(): Promise<void>;
}

const TEXT_MAX_LENGTH = 4096;

export async function startFakeTelegramBotApi({ botToken }: { botToken: string }): Promise<FakeTelegramBotApi> {
  const requests: TelegramRecordedRequest[] = [];
  const scripts: Array<{ chatId: string; error: TelegramScriptedError; remaining: number }> = [];
  let nextMessageId = 1000;
  let connections = 0;

  const answer = (res: ServerResponse, record: Omit<TelegramRecordedRequest, 'response'>, status: number, body: unknown) => {
    requests.push({ ...record, response: { status, body } });
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const fail = (error: TelegramScriptedError) => ({ ok: false, ...error });

  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> | undefined;
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
      } catch {
        body = undefined;
      }
      const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
      const record = {
        method: req.method ?? '',
        apiMethod: match?.[2] ?? '',
        body,
        connectionId: (req.socket as { fakeId?: number }).fakeId ?? 0,
        at: Date.now(),
      };
      if (!match) return answer(res, record, 404, fail({ error_code: 404, description: 'Not Found' }));
      if (match[1] !== botToken) return answer(res, record, 401, fail(TELEGRAM_ERRORS.unauthorized));
      if (record.apiMethod !== 'sendMessage') return answer(res, record, 404, fail({ error_code: 404, description: 'Not Found: method not found' }));
      if (!body) return answer(res, record, 400, fail({ error_code: 400, description: 'Bad Request: message text is empty' }));
      const chatId = String(body.chat_id ?? '');
      const text = typeof body.text === 'string' ? body.text : '';
      if (!chatId) return answer(res, record, 400, fail({ error_code: 400, description: 'Bad Request: chat_id is empty' }));
      if (!text) return answer(res, record, 400, fail({ error_code: 400, description: 'Bad Request: message text is empty' }));
      if (text.length > TEXT_MAX_LENGTH) return answer(res, record, 400, fail({ error_code: 400, description: 'Bad Request: message is too long' }));
      if (body.parse_mode !== undefined && body.parse_mode !== 'HTML') {
        return answer(res, record, 400, fail({ error_code: 400, description: 'Bad Request: unsupported parse_mode' }));
      }
      const script = scripts.find((candidate) => candidate.chatId === chatId && candidate.remaining > 0);
      if (script) {
        script.remaining -= 1;
        return answer(res, record, script.error.error_code, fail(script.error));
      }
      nextMessageId += 1;
      answer(res, record, 200, {
        ok: true,
        result: { message_id: nextMessageId, date: Math.floor(Date.now() / 1000), chat: { id: Number(chatId), type: 'private' }, text },
      });
    });
  });
  server.on('connection', (socket) => {
    connections += 1;
    (socket as { fakeId?: number }).fakeId = connections;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    sentTo: (chatId) =>
      requests.filter(
        (request): request is TelegramRecordedRequest & { body: Record<string, unknown> } =>
          request.apiMethod === 'sendMessage' && request.response.status === 200 && String(request.body?.chat_id) === String(chatId)
      ),
    failNext(chatId, error, times = 1) {
      scripts.push({ chatId: String(chatId), error, remaining: times });
    },
    reset() {
      requests.length = 0;
      scripts.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let updateId = 500_000;
let messageId = 1;

/** A private-chat message Update as Telegram posts it to the webhook. */
export function telegramMessageUpdate(chatId: number, text: string, firstName = 'Anna') {
  updateId += 1;
  messageId += 1;
  return {
    update_id: updateId,
    message: {
      message_id: messageId,
      from: { id: chatId, is_bot: false, first_name: firstName, language_code: 'de' },
      chat: { id: chatId, first_name: firstName, type: 'private' },
      date: Math.floor(Date.now() / 1000),
      text,
      ...(text.startsWith('/') ? { entities: [{ offset: 0, length: text.split(/\s/)[0].length, type: 'bot_command' }] } : {}),
    },
  };
}
