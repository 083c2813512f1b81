import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHANNEL_PROBLEMS, urgencyOf } from '../../server/src/constants';
import { EXPLAINED_CODES } from '../../server/src/announcements/failure-explanations';
import { slugify } from '../../server/src/utils/slugify';
import announcement, { WORKER_OWNED_FIELDS } from '../../server/src/content-types/announcement/schema';
import topic from '../../server/src/content-types/topic/schema';
import { CONTENT_TYPE_LABELS, contentManagerMessages } from '../../admin/src/contentTypeLabels';
import { renderSignupPage } from '../../server/src/signup/page';

/**
 * No English in the German admin: every German message is German (a copied English text fails),
 * every code the server sends for the admin to word has German words, and the content manager
 * gets German names for the plugin's types and fields.
 */
const ROOT = path.resolve(__dirname, '../..');
const load = (locale: string) => JSON.parse(readFileSync(path.join(ROOT, 'admin/src/translations', `${locale}.json`), 'utf8')) as Record<string, string>;
const source = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** Words German uses as they are. Anything else identical in de.json and en.json is an English text left in German. */
const SAME_IN_BOTH = new Set(['Status', 'Text', 'Sandbox', 'Link', 'Name', 'Code', 'Marketing']);

describe('the German admin', () => {
  const en = load('en');
  const de = load('de');

  it('has no English text in de.json', () => {
    const untranslated = Object.keys(de).filter((id) => de[id] === en[id] && !SAME_IN_BOTH.has(de[id]));
    expect(untranslated).toEqual([]);
  });

  it('words every channel problem the server can report', () => {
    const hook = source('admin/src/hooks/useProblemLabel.ts');
    const unhandled = Object.keys(CHANNEL_PROBLEMS).filter((code) => !hook.includes(`case '${code}':`));
    expect(unhandled).toEqual([]);
  });

  it('words every refusal the sandbox phone can get', () => {
    const codes = [...source('server/src/sandbox/sandbox-phone.service.ts').matchAll(/code: '([\w-]+)'/g)].map((match) => match[1]);
    expect(codes.length).toBeGreaterThan(3);
    const page = source('admin/src/pages/SandboxPage.tsx');
    expect([...new Set(codes)].filter((code) => !page.includes(`case '${code}':`))).toEqual([]);
  });

  it('names the plugin’s content types and every field an editor sees, in German and English', () => {
    const schemas: Record<string, { info: { displayName: string }; attributes: Record<string, unknown>; config?: { attributes?: Record<string, { hidden?: boolean }> } }> = {
      'plugin::town-crier.announcement': announcement,
      'plugin::town-crier.topic': topic,
    };
    for (const [uid, schema] of Object.entries(schemas)) {
      const labels = CONTENT_TYPE_LABELS.find((entry) => entry.uid === uid);
      expect(labels?.displayName, uid).toBe(schema.info.displayName);
      const shown = Object.keys(schema.attributes).filter((field) => !schema.config?.attributes?.[field]?.hidden);
      expect(Object.keys(labels?.fields ?? {}).sort(), uid).toEqual(shown.sort());
    }
    expect(Object.keys(announcement.attributes).filter((field) => !(WORKER_OWNED_FIELDS as readonly string[]).includes(field)).sort()).toEqual(
      Object.keys(CONTENT_TYPE_LABELS[0].fields).sort()
    );

    const prefixed = (messages: Record<string, string>) => Object.fromEntries(Object.entries(messages).map(([id, text]) => [`town-crier.${id}`, text]));
    const german = contentManagerMessages(prefixed(de));
    expect(german['Town Crier announcement']).toBe('Stadtfunk-Meldung');
    expect(german['content-manager.content-types.plugin::town-crier.announcement.sendAt']).toBe('Senden am');
    expect(german['content-manager.content-types.plugin::town-crier.topic.active']).toBe('Auf der Anmeldeseite angeboten');
    // One message per type name and per field, in both languages.
    const expected = CONTENT_TYPE_LABELS.reduce((sum, type) => sum + 1 + Object.keys(type.fields).length, 0);
    expect(Object.keys(german)).toHaveLength(expected);
    expect(Object.keys(contentManagerMessages(prefixed(en)))).toHaveLength(expected);
  });
});

describe('the sign-up page', () => {
  const model = {
    locale: 'de' as const,
    town: { name: 'Ahrensbök', kind: 'Gemeinde' },
    topics: [
      { slug: 'muell', name: 'Müllabfuhr', description: null },
      { slug: 'kultur', name: 'Kultur', description: 'Konzerte und Lesungen' },
    ],
    consent: { version: '2026-01', text: 'Ich willige ein …', privacyPolicyUrl: 'https://ahrensboek.example/datenschutz' },
    channels: [{ id: 'whatsapp', label: 'WhatsApp' }],
    scriptUrl: '/signup.js',
    apiUrl: '/subscriptions',
  };

  it('names the municipality with its kind and the topics it offers', () => {
    const html = renderSignupPage(model);
    expect(html).toContain('<h1>Nachrichten der Gemeinde Ahrensbök abonnieren</h1>');
    expect(html).toContain('Erhalten Sie Meldungen der Gemeinde Ahrensbök – Müllabfuhr, Kultur – auf dem Weg, der Ihnen passt.');
    expect(html).not.toContain('Ratssitzungen');
    expect(html).not.toContain('der Stadt');
    const english = renderSignupPage({ ...model, locale: 'en' });
    expect(english).toContain('<h1>Subscribe to the news of the municipality of Ahrensbök</h1>');
  });

  it('takes the town’s own intro from config', () => {
    const html = renderSignupPage({ ...model, intro: 'Alles Wichtige aus Ahrensbök, direkt aufs Handy.' });
    expect(html).toContain('<p id="intro">Alles Wichtige aus Ahrensbök, direkt aufs Handy.</p>');
    expect(html).not.toContain('Erhalten Sie Meldungen');
  });
});

describe('the demo', () => {
  it('labels every field of its article type in German and names the type', async () => {
    const schema = JSON.parse(source('demo/src/api/article/content-types/article/schema.json')) as { info: { displayName: string }; attributes: Record<string, unknown> };
    // @ts-expect-error: the demo's admin config is plain JavaScript without types
    const app = (await import('../../demo/src/admin/app.js')) as { default: { config: { locales: string[]; translations: { de: Record<string, string> } } } };
    const german = app.default.config.translations.de;
    expect(app.default.config.locales).toContain('de');
    expect(german[schema.info.displayName]).toBe('Meldung');
    const unlabelled = Object.keys(schema.attributes).filter((field) => !german[`content-manager.content-types.api::article.article.${field}`]);
    expect(unlabelled).toEqual([]);
  });
});

describe('urgency words', () => {
  it('reads German and English urgency values, whatever their case', async () => {
    expect(['Notfall', 'EILMELDUNG', 'emergency'].map(urgencyOf)).toEqual(['emergency', 'emergency', 'emergency']);
    expect(['Wichtig', 'important'].map(urgencyOf)).toEqual(['important', 'important']);
    expect(['Info', 'Hinweis'].map(urgencyOf)).toEqual(['info', 'info']);
    expect([null, 7, 'Kaffee', ''].map(urgencyOf)).toEqual([null, null, null, null]);
  });
});

describe('failure explanations', () => {
  it('explain every known code in German as well as English', async () => {
    for (const [channel, codes] of Object.entries(EXPLAINED_CODES.en)) {
      const german = EXPLAINED_CODES.de[channel] ?? {};
      expect(Object.keys(codes).filter((code) => !german[code]), channel).toEqual([]);
      expect(Object.keys(german).filter((code) => !(code in codes)), channel).toEqual([]);
    }
  });
});

describe('topic names as field values', () => {
  it('finds the topic "notfaelle" from the value "Notfälle", as the demo’s select field holds it', async () => {
    expect(['Notfälle', 'Müllabfuhr', 'Straßenbau', 'Verkehr'].map(slugify)).toEqual(['notfaelle', 'muellabfuhr', 'strassenbau', 'verkehr']);
  });
});
