/** Keeps personal data out of logs: `+4915123456789` becomes `+49151…789`. */
export function maskAddress(address: string | null | undefined): string {
  if (!address) return '(none)';
  if (address.includes('@')) {
    const [local, domain] = address.split('@');
    return `${local.slice(0, 1)}…@${domain}`;
  }
  return address.length > 8 ? `${address.slice(0, 6)}…${address.slice(-3)}` : '…';
}
