/** Keeps personal data out of logs: `+4915123456789` becomes `+49151…789`. */
export function maskAddress(address: string | null | undefined): string {
  if (!address) return '(none)';
  if (address.includes('@')) {
    const [local, domain] = address.split('@');
    return `${local.slice(0, 1)}…@${domain}`;
  }
  return address.length > 8 ? `${address.slice(0, 6)}…${address.slice(-3)}` : '…';
}

/**
 * Error texts from providers quote whom they concern: an SMTP server's "450 4.1.2
 * <anna@example.org>: Recipient address rejected", an HTTP client's URL with a chat id or number.
 * Every error message the plugin logs or hands to the queue (bull keeps it as `failedReason`
 * and `stacktrace`) goes through this first: e-mail addresses, phone numbers and chat ids (any
 * run of 7 or more digits, with or without `+` and separators) and WhatsApp user ids (BSUIDs).
 */
export function maskPersonalData(text: string): string {
  return text
    .replace(/[^\s<>"'()[\]@,;:]+@[^\s<>"'()[\]@,;:]+/g, '[address]')
    .replace(/\b[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{6,128}\b/g, '[user id]')
    .replace(/\+?\d(?:[\s().\/-]{0,2}\d){6,}/g, '[number]');
}

/** The same error with its message and stack masked (in place, so its class and fields stay: `RetryLater` is still one). */
export function maskError<T>(error: T): T {
  if (error instanceof Error) {
    error.message = maskPersonalData(error.message);
    if (error.stack) error.stack = maskPersonalData(error.stack);
  }
  return error;
}

/** An error's message for a log line, masked. */
export const maskedMessage = (error: unknown): string => maskPersonalData(error instanceof Error ? error.message : String(error));
