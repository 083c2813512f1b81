import { isIP } from 'node:net';

/**
 * The ledger keeps only the network part of an address (IPv4 /24, IPv6 /48): enough to
 * show a consent came from a plausible place, too little to identify a household.
 */
export function truncateIp(ip: string | undefined | null): string | null {
  if (!ip) return null;
  const mapped = ip.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i);
  const address = mapped ? mapped[1] : ip;
  const version = isIP(address);
  if (version === 4) return address.split('.').slice(0, 3).concat('0').join('.') + '/24';
  if (version === 6) return expandIpv6(address).slice(0, 3).join(':') + '::/48';
  return null;
}

function expandIpv6(address: string): string[] {
  const [head, tail = ''] = address.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const missing = address.includes('::') ? 8 - headParts.length - tailParts.length : 0;
  return [...headParts, ...Array(missing).fill('0'), ...tailParts].map((part) => (parseInt(part || '0', 16) || 0).toString(16));
}
