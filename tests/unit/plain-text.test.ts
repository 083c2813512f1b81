import { describe, expect, it } from 'vitest';
import { blocksToPlainText, markdownToPlainText, plainTextOf } from '../../server/src/announcements/plain-text';

describe('the text of a news entry as plain text', () => {
  it('strips Markdown from a richtext attribute, keeping what a reader sees', () => {
    const markdown = [
      '## Sperrung der **Hauptstraße**',
      '',
      'Ab *Montag* ist die Straße gesperrt. Details im [Amtsblatt](https://x.de/amtsblatt) und unter `Umleitung U3`.',
      '',
      '* Markt bis Bahnhof',
      '+ Umleitung über die ~~Ringstraße~~ Bahnhofstraße',
      '',
      '> Bitte beachten Sie die Schilder.',
      '',
      '![Karte der Umleitung](/uploads/karte.png)',
      '',
      '---',
      'Tempo 30\\* gilt.',
    ].join('\n');
    expect(markdownToPlainText(markdown)).toBe(
      [
        'Sperrung der Hauptstraße',
        '',
        'Ab Montag ist die Straße gesperrt. Details im Amtsblatt und unter Umleitung U3.',
        '',
        '- Markt bis Bahnhof',
        '- Umleitung über die Ringstraße Bahnhofstraße',
        '',
        'Bitte beachten Sie die Schilder.',
        '',
        'Karte der Umleitung',
        '',
        'Tempo 30* gilt.',
      ].join('\n')
    );
  });

  it('keeps snake_case words and lone asterisks', () => {
    expect(markdownToPlainText('Datei bericht_2026_final.pdf, 5 * 3 = 15')).toBe('Datei bericht_2026_final.pdf, 5 * 3 = 15');
  });

  it('reads a blocks attribute as paragraphs, lists and headings, never [object Object]', () => {
    const blocks = [
      { type: 'heading', level: 2, children: [{ type: 'text', text: 'Wasserrohrbruch' }] },
      { type: 'paragraph', children: [{ type: 'text', text: 'Im Ortsteil Nord ' }, { type: 'text', text: 'fehlt Wasser', bold: true }, { type: 'text', text: '.' }] },
      { type: 'paragraph', children: [{ type: 'text', text: 'Mehr: ' }, { type: 'link', url: 'https://x.de', children: [{ type: 'text', text: 'Stadtwerke' }] }] },
      { type: 'list', format: 'ordered', children: [{ type: 'list-item', children: [{ type: 'text', text: 'Wasser abkochen' }] }, { type: 'list-item', children: [{ type: 'text', text: 'Tankwagen am Markt' }] }] },
      { type: 'image', image: { alternativeText: 'Lageplan' }, children: [{ type: 'text', text: '' }] },
    ];
    expect(plainTextOf(blocks, 'blocks')).toBe('Wasserrohrbruch\n\nIm Ortsteil Nord fehlt Wasser.\n\nMehr: Stadtwerke\n\n1. Wasser abkochen\n2. Tankwagen am Markt\n\nLageplan');
    expect(blocksToPlainText(null)).toBe('');
  });

  it('passes plain strings through and never prints an object', () => {
    expect(plainTextOf('**bleibt** so', 'text')).toBe('**bleibt** so');
    expect(plainTextOf(null, 'text')).toBe('');
    expect(plainTextOf({ a: 1 }, 'json')).toBe('');
    expect(plainTextOf(42, 'integer')).toBe('42');
  });
});
