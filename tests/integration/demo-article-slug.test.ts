import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announcementFor } from '../support/seed';
import { bootStrapi, eventually, type TestStrapi } from '../support/strapi';

/**
 * The demo's articles link to /news/{slug}. Its document middleware (demo/src/article-slug.js)
 * gives an article saved without a slug one from its title, so an editor who fills title,
 * summary and topic and publishes sends a working link. Run here on the test app, whose
 * article type has the same uid, title and slug.
 */
const { fillArticleSlug } = createRequire(__filename)('../../demo/src/article-slug.js') as { fillArticleSlug(strapi: unknown): void };
const ARTICLE = 'api::article.article';

describe('the demo fills an empty article slug from its title', () => {
  let test: TestStrapi;
  const documents = () => test.strapi.documents(ARTICLE as never) as unknown as {
    create(params: unknown): Promise<{ documentId: string; slug: string | null }>;
    update(params: unknown): Promise<{ documentId: string; slug: string | null }>;
  };

  beforeAll(async () => {
    test = await bootStrapi();
    fillArticleSlug(test.strapi);
  });
  afterAll(async () => {
    await test?.close();
  });

  it('publishes an article without a slug with a unique slug, and its broadcast links to it', async () => {
    const first = await documents().create({ data: { title: 'Neues Baugebiet am Mühlenweg', summary: 'Pläne liegen aus.', topic: 'bauen' }, status: 'published' });
    expect(first.slug).toMatch(/^neues-baugebiet-am-m/);
    const second = await documents().create({ data: { title: 'Neues Baugebiet am Mühlenweg', summary: 'Nachtrag.', slug: '' }, status: 'published' });
    expect(second.slug).toMatch(/^neues-baugebiet-am-m/);
    expect(second.slug).not.toBe(first.slug);

    const announcement = await eventually(() => announcementFor(test, first.documentId));
    expect(announcement.url).toBe(`https://musterstadt.de/news/${first.slug}`);
  });

  it('keeps a slug the editor chose, also when only other fields change', async () => {
    const draft = await documents().create({ data: { title: 'Sommerfest', slug: 'sommerfest-2026' } });
    const updated = await documents().update({ documentId: draft.documentId, data: { title: 'Sommerfest im Park' } });
    expect(updated.slug).toBe('sommerfest-2026');
  });
});
