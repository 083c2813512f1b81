import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { whatsappChannelText } from '../../server/src/whatsapp-channel/handoff.service';

const SERVER = path.resolve(__dirname, '../../server/src');
const OWNER = 'whatsapp-channel/handoff.service.ts';

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : /\.ts$/.test(name) ? [full] : [];
  });

describe('town_crier_channel_handoffs has one writer', () => {
  it('only the hand-off service names the table', () => {
    const naming = sourceFiles(SERVER)
      .filter((file) => /UID\.channelHandoff\b|plugin::town-crier\.channel-handoff|town_crier_channel_handoffs/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(SERVER, file).split(path.sep).join('/'));
    // The schema and the UID list declare it; the service is the only code that reads or writes it.
    expect(naming.sort()).toEqual(['constants.ts', 'content-types/channel-handoff/schema.ts', OWNER].sort());
  });
});

describe('the WhatsApp Channel text', () => {
  it('bold headline without stray markup, text, link on its own line, the town in italics', () => {
    const text = whatsappChannelText({ title: 'Sperrmüll *neu*', text: 'Ab 7 Uhr.', url: 'https://musterstadt.de/a', urgency: 'emergency', topicNames: [], townName: 'Musterstadt' });
    expect(text).toBe('🚨 *Sperrmüll neu*\n\nAb 7 Uhr.\n\nhttps://musterstadt.de/a\n\n_Musterstadt_');
  });

  it('an all-clear names the story it ends and links the original', () => {
    const text = whatsappChannelText({
      title: 'Sturm vorbei',
      text: '',
      url: null,
      urgency: 'emergency',
      topicNames: [],
      townName: 'Musterstadt',
      followUp: { kind: 'all-clear', originalTitle: 'Sturmwarnung', originalUrl: 'https://musterstadt.de/sturm' },
    });
    expect(text.split('\n\n')[0]).toMatch(/^✅ \*Entwarnung/);
    expect(text).toContain('https://musterstadt.de/sturm');
  });
});
