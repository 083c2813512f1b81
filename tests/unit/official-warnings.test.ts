import { describe, expect, it } from 'vitest';
import { arsCovers, coveredCodes, villagesOfCodes } from '../../server/src/warnings/area';
import { dwdSeverity, dwdWarningsFor, unwrapJsonp } from '../../server/src/warnings/dwd';
import { ninaDashboard, ninaWarning } from '../../server/src/warnings/nina';
import { draftText, urgencyFieldValue, urgencyOfSeverity } from '../../server/src/warnings/draft-content';
import { warningsConfigProblems } from '../../server/src/warnings/config-check';
import { parsePluginConfig } from '../../server/src/config';

const town = { municipality: '801055012', villages: { 'gross-suederau': '801055099' } };
const townArs = { municipality: '010550012012', villages: { altstadt: '010550012099' } };

describe('official warnings: severity and urgency', () => {
  it('maps minor/moderate to info/important and severe/extreme to emergency', () => {
    expect(['minor', 'moderate', 'severe', 'extreme'].map((severity) => urgencyOfSeverity(severity as never))).toEqual(['info', 'important', 'emergency', 'emergency']);
  });
  it('writes the town’s own urgency word when it has one', () => {
    const mapping = { title: 't', text: 'x', url: 'u', urgency: 'dringlichkeit', urgencyValues: { normal: 'info', notfall: 'emergency' } } as const;
    expect(urgencyFieldValue(mapping, 'emergency')).toBe('notfall');
    expect(urgencyFieldValue(mapping, 'important')).toBe('important');
  });
  it('reads DWD levels 1–4 as the CAP severities; heat levels never count as severe', () => {
    expect([1, 2, 3, 4, 50].map(dwdSeverity)).toEqual(['minor', 'moderate', 'severe', 'extreme', 'moderate']);
  });
});

describe('official warnings: area filter', () => {
  it('a district warning covers the town and its villages, the town’s covers the town, a neighbour’s nothing', () => {
    expect(arsCovers('010550000000', '010550012012')).toBe(true);
    expect(arsCovers('010550012012', '010550012012')).toBe(true);
    expect(arsCovers('010550013013', '010550012012')).toBe(false);
    expect(arsCovers('010560000000', '010550012012')).toBe(false);
    expect(coveredCodes(['010550000000'], townArs, 'ars')).toEqual(['010550012012', '010550012099']);
    expect(coveredCodes(['010550013013'], townArs, 'ars')).toEqual([]);
  });
  it('WarnCellIDs match whole; the municipality’s cell means the whole town, a village’s cell that village', () => {
    expect(coveredCodes(['801055012'], town, 'warncell')).toEqual(['801055012']);
    expect(coveredCodes(['80105501'], town, 'warncell')).toEqual([]);
    expect(villagesOfCodes(['801055012', '801055099'], town)).toEqual([]);
    expect(villagesOfCodes(['801055099'], town)).toEqual(['gross-suederau']);
  });
});

describe('official warnings: DWD file', () => {
  const file = `warnWetter.loadWarnings({"time":1765100000000,"warnings":{"801055012":[{"state":"Schleswig-Holstein","type":1,"level":3,"start":1765090000000,"end":1765130000000,"regionName":"Gemeinde Musterstadt","event":"ORKANBÖEN","headline":"Amtliche UNWETTERWARNUNG vor ORKANBÖEN","description":"Orkanböen um 120 km/h.","instruction":"Fenster schließen.","stateShort":"SH","altitudeStart":null,"altitudeEnd":null}],"801055099":[{"state":"Schleswig-Holstein","type":1,"level":3,"start":1765090000000,"end":1765130000000,"regionName":"Groß Süderau","event":"ORKANBÖEN","headline":"Amtliche UNWETTERWARNUNG vor ORKANBÖEN","description":"Orkanböen um 120 km/h.","instruction":"Fenster schließen.","stateShort":"SH"}],"801055013":[{"type":2,"level":1,"start":1765090000000,"event":"GLÄTTE","headline":"Amtliche WARNUNG vor GLÄTTE"}]},"vorabInformation":{},"copyright":"Copyright Deutscher Wetterdienst"});`;

  it('unwraps the JSONP and makes one warning per warning, with the town’s cells it appears in', () => {
    const warnings = dwdWarningsFor(unwrapJsonp(file), town, 'https://www.dwd.de/warnungen');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      source: 'dwd',
      warningId: 'dwd:1:ORKANBÖEN:1765090000000',
      severity: 'severe',
      areaCodes: ['801055012', '801055099'],
      areaName: 'Gemeinde Musterstadt',
      attribution: 'Deutscher Wetterdienst',
      onset: new Date(1765090000000),
      expires: new Date(1765130000000),
    });
  });
  it('keeps the id and changes the version when the DWD changes the warning', () => {
    const [before] = dwdWarningsFor(unwrapJsonp(file), town, 'x');
    const [after] = dwdWarningsFor(unwrapJsonp(file.replaceAll('"end":1765130000000', '"end":1765140000000')), town, 'x');
    expect(after.warningId).toBe(before.warningId);
    expect(after.version).not.toBe(before.version);
    const [again] = dwdWarningsFor(unwrapJsonp(file.replace('"time":1765100000000', '"time":1765100300000')), town, 'x');
    expect(again.version).toBe(before.version);
  });
  it('refuses what is no warnings file', () => {
    expect(() => unwrapJsonp('<html>Service Unavailable</html>')).toThrow();
  });
});

describe('official warnings: NINA', () => {
  const cap = {
    identifier: 'mow.DE-SH-OH-W001-20261207-001',
    sender: 'DE-SH-OH-W001',
    sent: '2026-12-07T10:00:00+01:00',
    status: 'Actual',
    msgType: 'Alert',
    scope: 'Public',
    info: [{ language: 'DE', event: 'Gefahreninformation', severity: 'Severe', headline: 'Großbrand', description: 'Rauch.<br/>Fenster zu.', senderName: 'Leitstelle Ostholstein', area: [{ areaDesc: 'Gemeinde Musterstadt', geocode: [{ valueName: 'ARS', value: '010550012012' }] }] }],
  };
  it('reads the dashboard’s ids, versions and message types', () => {
    expect(ninaDashboard([{ id: 'a', payload: { version: 3, data: { msgType: 'Update' } } }, { payload: {} }, { id: 'b', payload: { hash: 'h', data: { msgType: 'Cancel' } } }])).toEqual([
      { id: 'a', version: '3', msgType: 'Update' },
      { id: 'b', version: 'h', msgType: 'Cancel' },
    ]);
  });
  it('reads the CAP message and filters by area', () => {
    const warning = ninaWarning(cap, { id: cap.identifier, version: '1', msgType: 'Alert' }, townArs, 'https://warnung.bund.de');
    expect(warning).toMatchObject({ warningId: cap.identifier, severity: 'severe', areaCodes: ['010550012012'], areaName: 'Gemeinde Musterstadt', link: `https://warnung.bund.de/meldungen/${cap.identifier}/`, attribution: 'Leitstelle Ostholstein' });
    const neighbour = ninaWarning({ ...cap, info: [{ ...cap.info[0], area: [{ areaDesc: 'Nachbarort', geocode: [{ valueName: 'ARS', value: '010550013013' }] }] }] }, { id: 'x', version: '1', msgType: 'Alert' }, townArs, 'https://warnung.bund.de');
    expect(neighbour.areaCodes).toEqual([]);
  });
  it('a cancel sent as a message of its own continues the warning it references', () => {
    const cancel = { ...cap, identifier: 'mow.cancel-1', msgType: 'Cancel', references: `DE-SH-OH-W001,${cap.identifier},2026-12-07T10:00:00+01:00` };
    expect(ninaWarning(cancel, { id: 'mow.cancel-1', version: '1', msgType: 'Cancel' }, townArs, 'x')).toMatchObject({ warningId: cap.identifier, msgType: 'Cancel' });
  });
  it('drafts carry the headline, severity, area and link by default, the full text only when allowed', () => {
    const warning = ninaWarning(cap, { id: cap.identifier, version: '1', msgType: 'Alert' }, townArs, 'https://warnung.bund.de');
    const short = draftText(warning, 'warning', { fullText: false, timeZone: 'Europe/Berlin' });
    expect(short.text).not.toContain('Rauch');
    expect(short.text).toContain('Gebiet: Gemeinde Musterstadt');
    expect(short.text).toContain('https://warnung.bund.de/meldungen/');
    expect(draftText(warning, 'warning', { fullText: true, timeZone: 'Europe/Berlin' }).text).toContain('Rauch.\nFenster zu.');
    expect(draftText(warning, 'all-clear', { fullText: false, timeZone: 'Europe/Berlin', ended: 'expired' }).title).toBe('Entwarnung: Großbrand');
  });
});

describe('official warnings: config', () => {
  const base = { warnings: { dwd: { warnCellIds: { municipality: '801055012' } }, autoPublish: [{ source: 'dwd', minSeverity: 'extreme' }] } };
  it('refuses auto-publish unless emergencies are sent first and approved afterwards', () => {
    expect(() => parsePluginConfig(base)).toThrow(/warnings\.autoPublish: needs broadcast\.approval switched on \(enabled: true\) with emergency: 'send-then-approve'/);
    expect(() => parsePluginConfig({ ...base, broadcast: { approval: { enabled: true, emergency: 'hold' } } })).toThrow(/send-then-approve/);
    expect(() => parsePluginConfig({ ...base, broadcast: { approval: { enabled: true, emergency: 'exempt' } } })).toThrow(/send-then-approve/);
    expect(parsePluginConfig({ ...base, broadcast: { approval: { enabled: true } } }).warnings.autoPublish).toHaveLength(1);
    expect(() => parsePluginConfig({ ...base, warnings: { ...base.warnings, autoPublish: [{ source: 'dwd', minSeverity: 'moderate' }] }, broadcast: { approval: { enabled: true } } })).toThrow(/auto-publish starts at 'severe'/);
  });
  it('is off by default and refuses village codes of villages the town does not have', () => {
    const config = parsePluginConfig({});
    expect(config.warnings).toMatchObject({ pollEverySeconds: 300, autoPublish: [], notifyEmails: [] });
    expect(config.warnings.dwd).toBeUndefined();
    const raw = { warnings: { dwd: { warnCellIds: { municipality: '801055012', villages: { nirgendwo: '801055099' } } } } };
    expect(warningsConfigProblems(parsePluginConfig({ ...raw, warnings: { dwd: { warnCellIds: { municipality: '801055012' } } } }))).toEqual([]);
    expect(() => parsePluginConfig(raw)).toThrow(/warnings\.dwd\.warnCellIds\.villages\.nirgendwo: no village/);
    expect(() => parsePluginConfig({ warnings: { nina: { ars: '010550012012', areaCodes: { municipality: '010550012012' } } } })).toThrow(/district/);
  });
});
