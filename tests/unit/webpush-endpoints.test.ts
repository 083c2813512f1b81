import https from 'node:https';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config from '../../server/src/config';
import { createPushAgent, endpointProblem, isRefusedAddress, parsePushServiceEntry, pushServicesOf, resolvedAddressProblem } from '../../server/src/channels/webpush/webpush.endpoint';

const builtIn = pushServicesOf();

describe('Web Push endpoint allow-list', () => {
  it.each([
    'https://fcm.googleapis.com/fcm/send/abc:APA91b',
    'https://updates.push.services.mozilla.com/wpush/v2/gAAAAA',
    'https://push.services.mozilla.com.updates.push.services.mozilla.com/x',
    'https://web.push.apple.com/QGuQyavXutnMH',
    'https://wns2-db5p.notify.windows.com/w/?token=BQYAAA',
  ])('accepts a browser vendor’s push service: %s', (endpoint) => {
    expect(endpointProblem(endpoint, builtIn)).toBeNull();
  });

  it.each([
    ['http://fcm.googleapis.com/fcm/send/x', /https/],
    ['https://fcm.googleapis.com:444/fcm/send/x', /push service this town sends to/],
    ['https://notify.windows.com/x', /push service this town sends to/],
    ['https://fcm.googleapis.com.attacker.example/x', /push service this town sends to/],
    ['https://a@fcm.googleapis.com/x', /user name/],
    ['https://127.0.0.1/x', /push service this town sends to/],
    // Decimal and hex forms of 127.0.0.1, read differently by the two URL parsers.
    ['https://2130706433/x', /not a push service address|push service this town sends to/],
    ['https://0x7f.1/x', /not a push service address|push service this town sends to/],
    ['https://[::1]/x', /push service this town sends to/],
  ])('refuses %s', (endpoint, message) => {
    expect(endpointProblem(endpoint, builtIn)).toMatch(message);
  });

  it('trusts an IP literal only as named, with its port, and a listed name only at its port', () => {
    const services = pushServicesOf(['127.0.0.1:8443', 'push.example.net:8443', '*.push.example.org']);
    expect(endpointProblem('https://127.0.0.1:8443/push/x', services)).toBeNull();
    // Only as written: the two URL parsers disagree about the decimal form, so it is refused.
    expect(endpointProblem('https://2130706433:8443/push/x', services)).not.toBeNull();
    expect(endpointProblem('https://127.0.0.1:8444/push/x', services)).not.toBeNull();
    expect(endpointProblem('https://127.0.0.2:8443/push/x', services)).not.toBeNull();
    expect(endpointProblem('https://push.example.net:8443/x', services)).toBeNull();
    expect(endpointProblem('https://push.example.net/x', services)).not.toBeNull();
    expect(endpointProblem('https://eu.push.example.org/x', services)).toBeNull();
    expect(endpointProblem('https://push.example.org/x', services)).not.toBeNull();
  });

  it('refuses config entries it cannot read, naming them', () => {
    expect(parsePushServiceEntry('127.0.0.1')).toMatch(/only with its port/);
    expect(parsePushServiceEntry('*.10.0.0.1:80')).toMatch(/subdomains/);
    expect(parsePushServiceEntry('https://push.example.net')).toMatch(/not a host/);
    expect(() => config.validator({ channels: { webpush: { pushServices: ['127.0.0.1'] } } })).toThrow(/channels\.webpush\.pushServices\.0: .*only with its port/);
  });
});

describe('Web Push addresses', () => {
  it.each([
    '127.0.0.1', '127.8.9.10', '10.20.30.40', '172.16.5.4', '172.31.255.255', '192.168.178.1', '169.254.169.254', '100.64.0.1', '100.100.100.200',
    '0.0.0.0', '224.0.0.1', '255.255.255.255', '::', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', 'fd00:ec2::254', 'fc00::1', 'fe80::1',
    '64:ff9b::a9fe:a9fe', '2002:7f00:1::', 'ff02::1',
  ])('refuses %s', (address) => {
    expect(isRefusedAddress(address)).toBe(true);
  });

  it.each(['142.250.185.74', '34.107.221.82', '17.253.144.10', '2a00:1450:4001:82b::200a', '::ffff:142.250.185.74'])('allows the public address %s', (address) => {
    expect(isRefusedAddress(address)).toBe(false);
  });

  it('refuses a host when any of its addresses is not public, or it does not resolve', async () => {
    const endpoint = 'https://fcm.googleapis.com/fcm/send/x';
    expect(await resolvedAddressProblem(endpoint, builtIn, async () => [{ address: '142.250.185.74', family: 4 }])).toBeNull();
    expect(await resolvedAddressProblem(endpoint, builtIn, async () => [{ address: '142.250.185.74', family: 4 }, { address: '10.0.0.5', family: 4 }])).toMatch(/never sends to/);
    expect(await resolvedAddressProblem(endpoint, builtIn, async () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })))).toMatch(/does not resolve/);
  });
});

/**
 * DNS rebinding: the name resolved to a public address at sign-up and to loopback when the push
 * goes out. The agent resolves for the connection it opens, so the second answer is the one checked.
 */
describe('the push agent', () => {
  const listener = { server: net.createServer(), port: 0, connections: 0 };
  beforeAll(async () => {
    listener.server.on('connection', (socket) => {
      listener.connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.server.listen(0, '127.0.0.1', resolve));
    listener.port = (listener.server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => listener.server.close(resolve)));

  const post = (agent: https.Agent, url: string) =>
    new Promise<Error>((resolve) => {
      const request = https.request(url, { method: 'POST', agent }, () => resolve(new Error('answered')));
      request.on('error', resolve);
      request.end();
    });

  it('refuses the connection when the name now resolves to loopback, and an IP literal nobody trusted', async () => {
    const services = pushServicesOf([`push.example.net:${listener.port}`]);
    let answers = 0;
    const rebinding = async () => (answers++ === 0 ? [{ address: '142.250.185.74', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]);
    const endpoint = `https://push.example.net:${listener.port}/push/x`;
    expect(await resolvedAddressProblem(endpoint, services, rebinding)).toBeNull();
    const agent = createPushAgent({}, services, rebinding);
    expect((await post(agent, endpoint)).message).toMatch(/never sends to/);
    expect((await post(agent, `https://127.0.0.1:${listener.port}/push/x`)).message).toMatch(/never sends to/);
    agent.destroy();
    expect(listener.connections).toBe(0);
  });

  it('connects to an IP literal the town trusted, at its port', async () => {
    const agent = createPushAgent({}, pushServicesOf([`127.0.0.1:${listener.port}`]));
    const error = await post(agent, `https://127.0.0.1:${listener.port}/push/x`);
    agent.destroy();
    // The listener hangs up (no TLS): what matters is that a connection was made.
    expect(error.message).not.toMatch(/never sends to/);
    expect(listener.connections).toBe(1);
  });
});
