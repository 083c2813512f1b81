// A local stand-in for the DWD's open-data warnings file (warnapp/json/warnings.json), in its
// published JSONP shape (see tests/support/fake-dwd.ts), with one storm warning for Musterstadt's
// made-up WarnCellID. The demo's worker polls it at startup, so the warning is a draft within
// seconds of `npm run demo`. Musterstadt does not exist: the real DWD file has no cell for it.
const http = require('node:http');

const CELL = '801055012';

function startFakeDwdFeed(port) {
  const start = Date.now() - 10 * 60_000;
  const body = () =>
    `warnWetter.loadWarnings(${JSON.stringify({
      time: start,
      warnings: {
        [CELL]: [
          {
            state: 'Schleswig-Holstein',
            type: 1,
            level: 3,
            start,
            end: start + 8 * 3_600_000,
            regionName: 'Gemeinde Musterstadt',
            event: 'ORKANARTIGE BÖEN',
            headline: 'Amtliche UNWETTERWARNUNG vor ORKANARTIGEN BÖEN',
            description: 'Es treten orkanartige Böen mit Geschwindigkeiten um 110 km/h aus westlicher Richtung auf.',
            instruction: 'ACHTUNG! Hinweis auf mögliche Gefahren: Es können zum Beispiel Bäume entwurzelt und Dächer beschädigt werden. Achten Sie besonders auf herabstürzende Äste, Dachziegel oder Gegenstände.',
            stateShort: 'SH',
            altitudeStart: null,
            altitudeEnd: null,
          },
        ],
      },
      vorabInformation: {},
      copyright: 'Copyright Deutscher Wetterdienst',
    })});`;
  const server = http.createServer((request, response) => {
    const lastModified = new Date(start).toUTCString();
    if (request.headers['if-modified-since'] === lastModified) return response.writeHead(304).end();
    response.writeHead(200, { 'content-type': 'application/javascript;charset=UTF-8', 'last-modified': lastModified }).end(body());
  });
  server.listen(port, '127.0.0.1');
  return { server, url: `http://127.0.0.1:${port}/DWD/warnungen/warnapp/json/warnings.json`, cell: CELL };
}

module.exports = { startFakeDwdFeed };
