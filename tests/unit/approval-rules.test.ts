import { describe, expect, it } from 'vitest';
import { approvalVerdict, beyondVillageRights, matchedRules, type ApprovalFacts, type ApprovalRules } from '../../server/src/approval/approval-rules';
import { approvalConfigSchema } from '../../server/src/config/approval.schema';
import { coversVillages } from '../../server/src/approval/admin-directory';
import { approvalMail } from '../../server/src/approval/approval-mail';

/** The pure rules of four-eyes approval (server/src/approval/approval-rules.ts): no Strapi, no database. */
const rules = (over: Partial<ApprovalRules> = {}): ApprovalRules => ({ ...approvalConfigSchema.parse({}), ...over });
const facts = (over: Partial<ApprovalFacts> = {}): ApprovalFacts => ({
  urgency: 'info',
  channels: ['whatsapp', 'email'],
  recipientsByChannel: { whatsapp: 30, email: 20 },
  paidChannels: ['whatsapp'],
  villages: [],
  publisherVillages: null,
  ...over,
});

describe('approval rules', () => {
  it('is off by default, with emergencies going at once and the approval afterwards', () => {
    expect(approvalConfigSchema.parse({})).toEqual({ enabled: false, everyBroadcast: false, paidChannels: false, emergency: 'send-then-approve', notifyByEmail: true });
    expect(approvalVerdict(rules(), facts())).toEqual({ mode: null, holds: [], heldChannels: {} });
    // Rules written down but not switched on do nothing.
    expect(approvalVerdict(rules({ everyBroadcast: true }), facts()).mode).toBeNull();
  });

  it('every broadcast: the whole broadcast waits, every channel with the reason rule', () => {
    expect(approvalVerdict(rules({ enabled: true, everyBroadcast: true }), facts())).toEqual({
      mode: 'hold',
      holds: [{ reason: 'rule', channels: null }],
      heldChannels: { whatsapp: 'rule', email: 'rule' },
    });
  });

  it('above N recipients counts all channels together, and only above N', () => {
    expect(matchedRules(rules({ enabled: true, aboveRecipients: 50 }), facts())).toEqual([]);
    expect(matchedRules(rules({ enabled: true, aboveRecipients: 49 }), facts())).toEqual(['above-recipients']);
    expect(approvalVerdict(rules({ enabled: true, aboveRecipients: 0 }), facts({ recipientsByChannel: {} })).mode).toBeNull();
  });

  it('a paid channel matches only when someone on it would get the news', () => {
    expect(matchedRules(rules({ enabled: true, paidChannels: true }), facts())).toEqual(['paid-channel']);
    expect(matchedRules(rules({ enabled: true, paidChannels: true }), facts({ recipientsByChannel: { whatsapp: 0, email: 20 } }))).toEqual([]);
    expect(matchedRules(rules({ enabled: true, paidChannels: true }), facts({ channels: ['email'] }))).toEqual([]);
  });

  it('an emergency: goes at once by default, waits under hold, and the rules skip it under exempt', () => {
    const every = { enabled: true, everyBroadcast: true };
    expect(approvalVerdict(rules(every), facts({ urgency: 'emergency' }))).toEqual({ mode: 'send-then-approve', holds: [{ reason: 'rule', channels: null }], heldChannels: {} });
    expect(approvalVerdict(rules({ ...every, emergency: 'hold' }), facts({ urgency: 'emergency' })).mode).toBe('hold');
    expect(approvalVerdict(rules({ ...every, emergency: 'exempt' }), facts({ urgency: 'emergency' })).mode).toBeNull();
    // Not an emergency: exempt changes nothing.
    expect(approvalVerdict(rules({ ...every, emergency: 'exempt' }), facts({ urgency: 'important' })).mode).toBe('hold');
  });

  it('village rights: news beyond the publisher’s villages waits, even with the rules off', () => {
    expect(beyondVillageRights(['muehlenfeld'], ['muehlenfeld'])).toBe(false);
    expect(beyondVillageRights(['muehlenfeld', 'altstadt'], ['muehlenfeld'])).toBe(true);
    expect(beyondVillageRights([], ['muehlenfeld'])).toBe(true);
    expect(beyondVillageRights([], null)).toBe(false);
    expect(approvalVerdict(rules(), facts({ villages: ['altstadt'], publisherVillages: ['muehlenfeld'] }))).toEqual({
      mode: 'hold',
      holds: [{ reason: 'village-rights', channels: null }],
      heldChannels: { whatsapp: 'village-rights', email: 'village-rights' },
    });
    expect(approvalVerdict(rules(), facts({ villages: ['muehlenfeld'], publisherVillages: ['muehlenfeld'] })).mode).toBeNull();
    // Exempt emergencies still need the approval of someone with the right, afterwards.
    expect(approvalVerdict(rules({ emergency: 'exempt' }), facts({ urgency: 'emergency', publisherVillages: ['muehlenfeld'] })).mode).toBe('send-then-approve');
  });

  it('over budget holds only the WhatsApp run; a rule that also matches holds the rest with its own reason', () => {
    expect(approvalVerdict(rules(), facts({ whatsappOverBudget: true }))).toEqual({
      mode: 'hold',
      holds: [{ reason: 'over-budget', channels: ['whatsapp'] }],
      heldChannels: { whatsapp: 'over-budget' },
    });
    expect(approvalVerdict(rules(), facts({ whatsappOverBudget: true, channels: ['email'] })).mode).toBeNull();
    expect(approvalVerdict(rules({ enabled: true, everyBroadcast: true }), facts({ whatsappOverBudget: true })).heldChannels).toEqual({ whatsapp: 'rule', email: 'rule' });
  });

  it('who may approve village news: someone not limited, or holding every village of it (never whole-town news when limited)', () => {
    expect(coversVillages(null, [])).toBe(true);
    expect(coversVillages(null, ['altstadt'])).toBe(true);
    expect(coversVillages(['altstadt', 'muehlenfeld'], ['altstadt'])).toBe(true);
    expect(coversVillages(['muehlenfeld'], ['altstadt'])).toBe(false);
    expect(coversVillages(['altstadt', 'muehlenfeld'], [])).toBe(false);
  });

  it('the approvers’ e-mail names the news, the publisher and why, in the approver’s language, and no citizen', () => {
    const mail = approvalMail({ language: 'de', approverName: 'Paula Prüfer', publisherName: 'Otto Ortsvorsteher', title: 'Marktplatz gesperrt', reasons: ['village-rights', 'rule', 'rule'], outstanding: false, link: 'https://musterstadt.de/admin/x' });
    expect(mail.subject).toBe('Freigabe nötig: „Marktplatz gesperrt“');
    expect(mail.text.split('\n').filter((line) => line.startsWith('Die '))).toEqual([
      'Die Nachricht geht an Ortsteile, für die die veröffentlichende Person nicht allein senden darf.',
      'Die Regeln der Stadt verlangen für diese Nachricht eine zweite Freigabe.',
    ]);
    expect(approvalMail({ language: 'en', approverName: 'Ada', publisherName: null, title: 'Storm', reasons: ['rule'], outstanding: true, link: 'l' }).subject).toBe('Approval afterwards: “Storm”');
  });
});

describe('an emergency nobody published in person', () => {
  const rules = { enabled: true, everyBroadcast: false, aboveRecipients: undefined, paidChannels: false, emergency: 'send-then-approve' as const };
  const facts = { urgency: 'emergency' as const, channels: ['whatsapp' as const], recipientsByChannel: {}, paidChannels: ['whatsapp' as const], villages: [], publisherVillages: null, unattended: true };
  it('goes at once with an approval outstanding when approval is on', () => {
    expect(approvalVerdict(rules, facts)).toEqual({ mode: 'send-then-approve', holds: [{ reason: 'unattended', channels: null }], heldChannels: {} });
  });
  it('needs nothing when approval is off, when a person published it, or when it is not an emergency', () => {
    expect(approvalVerdict({ ...rules, enabled: false }, facts).mode).toBeNull();
    expect(approvalVerdict(rules, { ...facts, unattended: false }).mode).toBeNull();
    expect(approvalVerdict(rules, { ...facts, urgency: 'info' }).mode).toBeNull();
  });
});
