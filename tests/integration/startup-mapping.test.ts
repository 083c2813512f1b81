import { describe, expect, it } from 'vitest';
import { startupError } from '../support/strapi';

/** One boot: a mapping with a problem of each kind; startup stops and names all of them. */
describe('a mapping that does not fit the news type stops startup', () => {
  it('names every problem with its config path', async () => {
    const error = await startupError({
      contentTypes: {
        'api::article.article': { title: 'titel', text: 'slug', url: 'https://musterstadt.de/news/{slugg}', topics: 'topic', urgency: 'urgency', skip: 'topic' },
        'api::news.news': { title: 'title', text: 'summary', url: 'https://musterstadt.de/{slug}' },
      },
    });
    expect(error.message).toMatch(/^Invalid town-crier plugin config: /);
    for (const problem of [
      'contentTypes.api::article.article.title: api::article.article has no attribute "titel" (did you mean "title"?)',
      'contentTypes.api::article.article.text: "slug" is of type uid; text needs one of string, text, richtext, blocks',
      'contentTypes.api::article.article.skip: "topic" is of type string; skip needs one of boolean',
      'contentTypes.api::article.article.url: {slugg} is not an attribute of api::article.article (did you mean "slug"?)',
      'contentTypes.api::news.news: there is no content type api::news.news',
    ]) {
      expect(error.message).toContain(problem);
    }
  });
});
