import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake of the DWD's open-data warnings file, `https://www.dwd.de/DWD/warnungen/warnapp/json/warnings.json`,
 * in the shape it is published: JSONP `warnWetter.loadWarnings({...});` with `time` (epoch ms),
 * `warnings` keyed by WarnCellID, each a list of `{ state, type, level, start, end, regionName,
 * event, headline, description, instruction, stateShort, altitudeStart, altitudeEnd }`,
 * `vorabInformation` keyed the same way, and `copyright`. Taken from the published format as
 * described by bundesAPI/dwd-api (python-client/docs/GemeindeWarningsWarningsInner.md: type, level,
 * start, end, event, headline, description …) and by clients of the file (e.g. blicero/mistwetter:
 * `warnWetter.loadWarnings({"time":1627052765000,"warnings":{},"vorabInformation":{},"copyright":"Copyright Deutscher Wetterdienst"});`).
 * Like the DWD's web server it sends an ETag and Last-Modified and answers 304 to a matching
 * If-None-Match / If-Modified-Since. Tests change warnings, remove them (the DWD drops a
 * cancelled warning from the file) and make it answer 500.
 */
export interface DwdWarningEntry {
  state: string;
  type: number;
  level: number;
  start: number;
  end: number | null;
  regionName: string;
  event: string;
  headline: string;
  description: string;
  instruction: string;
  stateShort: string;
  altitudeStart: number | null;
  altitudeEnd: number | null;
}

export interface FakeDwd {
  url: string;
  /** Adds a warning to a cell (or changes the one with the same type, event and start). */
  warn(cell: string, entry: Partial<DwdWarningEntry> & Pick<DwdWarningEntry, 'event' | 'start' | 'level'>): void;
  /** Removes a warning from every cell (cancelled early, or run out). */
  remove(event: string, start: number): void;
  /** Answers `status` to every request until `failWith(null)`. */
  failWith(status: number | null): void;
  requests: Array<{ ifNoneMatch: string | null; ifModifiedSince: string | null; status: number }>;
  close(): Promise<void>;
}

export async function startFakeDwd(): Promise<FakeDwd> {
  const cells = new Map<string, DwdWarningEntry[]>();
  let failing: number | null = null;
  let modified = new Date(Math.floor(Date.now() / 1000) * 1000);
  const requests: FakeDwd['requests'] = [];
  const touch = () => {
    // HTTP dates have whole seconds: a change within the same second still needs a newer date.
    modified = new Date(Math.max(Math.floor(Date.now() / 1000) * 1000, modified.getTime() + 1000));
  };
  const body = () =>
    `warnWetter.loadWarnings(${JSON.stringify({ time: modified.getTime(), warnings: Object.fromEntries(cells), vorabInformation: {}, copyright: 'Copyright Deutscher Wetterdienst' })});`;

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const ifNoneMatch = (request.headers['if-none-match'] as string | undefined) ?? null;
    const ifModifiedSince = (request.headers['if-modified-since'] as string | undefined) ?? null;
    const answer = (status: number) => requests.push({ ifNoneMatch, ifModifiedSince, status });
    if (!request.url?.startsWith('/DWD/warnungen/warnapp/json/warnings.json')) {
      answer(404);
      response.writeHead(404).end();
      return;
    }
    if (failing) {
      answer(failing);
      response.writeHead(failing, { 'content-type': 'text/html' }).end('<html><body>Service Unavailable</body></html>');
      return;
    }
    const text = body();
    const etag = `"${createHash('sha1').update(text.replace(/"time":\d+,/, '')).digest('hex').slice(0, 16)}"`;
    const notModified = ifNoneMatch ? ifNoneMatch === etag : ifModifiedSince ? new Date(ifModifiedSince).getTime() >= modified.getTime() : false;
    const headers = { etag, 'last-modified': modified.toUTCString(), 'content-type': 'application/javascript;charset=UTF-8' };
    if (notModified) {
      answer(304);
      response.writeHead(304, headers).end();
      return;
    }
    answer(200);
    response.writeHead(200, headers).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/DWD/warnungen/warnapp/json/warnings.json`,
    warn(cell, entry) {
      const full: DwdWarningEntry = {
        state: 'Schleswig-Holstein',
        type: 1,
        end: null,
        regionName: 'Kreis Ostholstein',
        headline: `Amtliche WARNUNG vor ${entry.event}`,
        description: '',
        instruction: '',
        stateShort: 'SH',
        altitudeStart: null,
        altitudeEnd: null,
        ...entry,
      };
      const list = (cells.get(cell) ?? []).filter((existing) => !(existing.type === full.type && existing.event === full.event && existing.start === full.start));
      cells.set(cell, [...list, full]);
      touch();
    },
    remove(event, start) {
      for (const [cell, list] of cells) {
        const left = list.filter((existing) => !(existing.event === event && existing.start === start));
        if (left.length) cells.set(cell, left);
        else cells.delete(cell);
      }
      touch();
    },
    failWith(status) {
      failing = status;
    },
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
