import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses the town's server never connects to on a stranger's word (a Web Push endpoint, a Fediverse actor's
 * inbox or key): loopback, private (RFC 1918),
 * carrier-grade NAT (where cloud metadata services also live), link-local (169.254.169.254),
 * unique-local (fd00:ec2::254), unspecified, documentation, benchmarking, multicast and
 * reserved ranges, and the IPv6 forms that embed an IPv4 address (NAT64, 6to4).
 */
const refused = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) refused.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) refused.addSubnet(network, prefix, 'ipv6');

/** True when the server must never connect to this address (IPv4-mapped IPv6 is judged as its IPv4). */
export function isRefusedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 4) return refused.check(address, 'ipv4');
  const mapped = /^::ffff:(?:0:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return refused.check(mapped[1], 'ipv4');
  const hexMapped = /^::ffff:(?:0:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hexMapped) {
    const value = (parseInt(hexMapped[1], 16) << 16) | parseInt(hexMapped[2], 16);
    return refused.check([24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.'), 'ipv4');
  }
  return refused.check(address, 'ipv6');
}


/** Resolves a host name to all its addresses; injectable so a test can play a rebinding DNS. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type ConnectionLookup = (hostname: string, options: { all?: boolean }, callback: LookupCallback) => void;

/**
 * The `lookup` of a connection to a host a stranger named: the name is resolved for this very
 * connection and refused (with `refusedError()`) when any of its addresses is refused. A check
 * before connecting is not enough: the name may answer a public address to the check and a
 * private one to the connection (DNS rebinding). IP literals never reach a lookup: the caller
 * checks those itself.
 */
export function refusingLookup(refusedError: () => Error, resolve: Resolver = systemResolver): ConnectionLookup {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        if (!addresses.length || addresses.some(({ address }) => isRefusedAddress(address))) return callback(refusedError(), options.all ? [] : '');
        if (options.all) return callback(null, addresses);
        return callback(null, addresses[0].address, addresses[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, options.all ? [] : '')
    );
  };
}
