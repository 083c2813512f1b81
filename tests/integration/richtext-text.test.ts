import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announcementFor } from '../support/seed';
import { bootStrapi, eventually, testArticleMapping, type TestStrapi } from '../support/strapi';

/** A mapping whose `text` is a richtext (Markdown) attribute: the announcement carries plain text. */
describe('text from a richtext attribute', () => {
  let test: TestStrapi;

  beforeAll(async () => {
    test = await bootStrapi({ pluginConfig: { contentTypes: { 'api::article.article': { ...testArticleMapping['api::article.article'], text: 'body' } } } });
  });
  afterAll(async () => {
    await test?.close();
  });

  it('sends what a reader sees, not the Markdown', async () => {
    const article = (await test.strapi.documents('api::article.article' as never).create({
      data: { title: 'Wasserrohrbruch', slug: 'wasserrohrbruch', body: '## Ortsteil Nord\n\nBitte **Wasser abkochen**, Infos bei den [Stadtwerken](https://stadtwerke.example).' },
      status: 'published',
    } as never)) as { documentId: string };
    const announcement = await eventually(() => announcementFor(test, article.documentId));
    expect(announcement.text).toBe('Ortsteil Nord\n\nBitte Wasser abkochen, Infos bei den Stadtwerken.');
  });
});
