import { describe, expect, it } from 'vitest';
import { deriveStatus, type RunRow } from '../../server/src/dispatch/runs';

const run = (channel: RunRow['channel'], state: RunRow['state'], reason: string | null = null, resumesAt: string | null = null): RunRow => ({
  id: 0,
  announcementDocumentId: 'a',
  channel,
  state,
  reason,
  resumesAt: resumesAt === null ? null : new Date(resumesAt),
  finishedAt: null,
});

/** The announcement's status is derived from its runs, one per channel. */
describe('deriveStatus', () => {
  it('shows a broadcast as sending while any channel sends, and names why a paused channel waits', () => {
    expect(deriveStatus([run('whatsapp', 'paused', 'channel-error:whatsapp:190'), run('email', 'sending')])).toMatchObject({
      broadcastStatus: 'sending',
      statusReason: 'channel-error:whatsapp:190',
      finished: false,
    });
  });

  it('is paused only when every open run is paused', () => {
    expect(deriveStatus([run('whatsapp', 'paused', 'channel-error:whatsapp:190'), run('email', 'sent')])).toMatchObject({ broadcastStatus: 'paused', finished: false });
  });

  it('takes the earliest resume time of the runs in the shown state', () => {
    const derived = deriveStatus([run('whatsapp', 'scheduled', 'quiet-hours', '2026-01-01T07:00:00.000Z'), run('email', 'scheduled', 'quiet-hours', '2026-01-01T06:00:00.000Z')]);
    expect(derived?.resumesAt?.toISOString()).toBe('2026-01-01T06:00:00.000Z');
  });

  it('is sent when one channel sent and another failed on its template, and keeps that reason', () => {
    expect(deriveStatus([run('whatsapp', 'failed', 'template-error:132001'), run('email', 'sent')])).toEqual({
      broadcastStatus: 'sent',
      statusReason: 'template-error:132001',
      resumesAt: null,
      finished: true,
    });
  });

  it('is failed when no channel sent, cancelled when all were cancelled, and nothing without runs', () => {
    expect(deriveStatus([run('whatsapp', 'failed', 'template-error:132001')])?.broadcastStatus).toBe('failed');
    expect(deriveStatus([run('whatsapp', 'cancelled'), run('email', 'cancelled')])?.broadcastStatus).toBe('cancelled');
    expect(deriveStatus([])).toBeNull();
  });
});
