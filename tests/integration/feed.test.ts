import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xml2js, type Element } from 'xml-js';
import { bootStrapi, eventually, type TestStrapi } from '../support/strapi';
import { fakeWhatsapp } from '../support/whatsapp';
import { announcementFor, publishArticle, seedSubscriber, seedTopics } from '../support/seed';

/** Children of an XML element by name. */
const children = (element: Element | undefined, name: string) => (element?.elements ?? []).filter((child) => child.name === name);
const child = (element: Element | undefined, name: string) => children(element, name)[0];
const text = (element: Element | undefined) => (element?.elements ?? []).map((node) => node.text ?? node.cdata ?? '').join('');

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const RFC822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} (GMT|[+-]\d{4})$/;

describe('the public RSS and Atom feed', () => {
  let test: TestStrapi;
  const citizen = { number: '+4915155555555', name: 'Erika Mustermann' };

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    test = await bootStrapi({ pluginConfig: { ...whatsapp.config, feed: { siteUrl: 'https://musterstadt.de/news' } } });
    const topics = await seedTopics(test, [['Verkehr', 'verkehr']]);
    const subscriberId = await seedSubscriber(test, citizen.number, { topics: [topics.verkehr] });
    await test.strapi.db.query('plugin::town-crier.subscriber').update({ where: { id: subscriberId }, data: { name: citizen.name } });

    for (const title of ['Hauptstraße gesperrt', 'Ratssitzung am Montag']) {
      const articleId = await publishArticle(test, { title, topic: 'verkehr', summary: `${title}: Details & Umleitung <bitte beachten>` });
      await eventually(async () => (await announcementFor(test, articleId))?.broadcastStatus === 'sent');
    }
    // Published, then cancelled by the editor before it went out (the row as the cancel route leaves it): not news.
    await test.strapi.db.query('plugin::town-crier.announcement').create({
      data: { documentId: 'cancelled0000000000000001', title: 'Abgesagt', text: 'Fällt aus', broadcastStatus: 'cancelled', publishedAt: new Date() },
    });
  });
  afterAll(async () => {
    await test?.close();
  });

  it('serves RSS 2.0 with the channel and item elements the spec requires, newest first', async () => {
    const response = await test.request.get('/api/town-crier/feed.xml');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    const rss = child(xml2js(response.text) as Element, 'rss');
    expect(rss.attributes?.version).toBe('2.0');
    const channels = children(rss, 'channel');
    expect(channels).toHaveLength(1);
    const channel = channels[0];
    for (const required of ['title', 'link', 'description']) expect(text(child(channel, required)).length).toBeGreaterThan(0);
    expect(text(child(channel, 'link'))).toBe('https://musterstadt.de/news');

    const items = children(channel, 'item');
    expect(items.map((item) => text(child(item, 'title')))).toEqual(['Ratssitzung am Montag', 'Hauptstraße gesperrt']);
    for (const item of items) {
      expect(text(child(item, 'link'))).toMatch(/^https:\/\/musterstadt\.de\/news\/artikel-\d+$/);
      expect(text(child(item, 'pubDate'))).toMatch(RFC822);
      expect(child(item, 'guid').attributes?.isPermaLink).toBe('false');
      expect(text(child(item, 'category'))).toBe('Verkehr');
    }
    expect(text(child(items[1], 'description'))).toBe('Hauptstraße gesperrt: Details & Umleitung <bitte beachten>');
  });

  it('serves Atom 1.0 with id, title, updated and an author for every entry', async () => {
    const response = await test.request.get('/api/town-crier/feed.atom');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    const feed = child(xml2js(response.text) as Element, 'feed');
    expect(feed.attributes?.xmlns).toBe('http://www.w3.org/2005/Atom');
    expect(text(child(feed, 'id'))).toBe('http://127.0.0.1:1337/api/town-crier/feed.atom');
    expect(text(child(feed, 'title')).length).toBeGreaterThan(0);
    expect(text(child(feed, 'updated'))).toMatch(RFC3339);
    expect(text(child(child(feed, 'author'), 'name'))).toBe('Musterstadt');
    const self = children(feed, 'link').find((link) => link.attributes?.rel === 'self');
    expect(self?.attributes?.href).toBe('http://127.0.0.1:1337/api/town-crier/feed.atom');

    const entries = children(feed, 'entry');
    expect(entries).toHaveLength(2);
    const ids = entries.map((entry) => text(child(entry, 'id')));
    expect(new Set(ids).size).toBe(2);
    for (const entry of entries) {
      expect(text(child(entry, 'id'))).toMatch(/^urn:town-crier:announcement:\w+$/);
      expect(text(child(entry, 'title')).length).toBeGreaterThan(0);
      expect(text(child(entry, 'updated'))).toMatch(RFC3339);
      expect(child(entry, 'link').attributes?.href).toMatch(/^https:\/\/musterstadt\.de\/news\/artikel-\d+$/);
    }
  });

  it('holds no personal data and nothing that was not broadcast', async () => {
    for (const path of ['/api/town-crier/feed.xml', '/api/town-crier/feed.atom']) {
      const body = (await test.request.get(path)).text;
      expect(body).not.toContain(citizen.number);
      expect(body).not.toContain(citizen.number.slice(3));
      expect(body).not.toContain(citizen.name);
      expect(body).not.toContain('Abgesagt');
    }
  });

  it('sends caching headers and answers a reader that is up to date with 304', async () => {
    const first = await test.request.get('/api/town-crier/feed.xml');
    expect(first.headers['cache-control']).toBe('public, max-age=300');
    expect(first.headers.etag).toMatch(/^".+"$/);
    expect(new Date(first.headers['last-modified']).getTime()).not.toBeNaN();
    const second = await test.request.get('/api/town-crier/feed.xml');
    expect(second.headers.etag).toBe(first.headers.etag);

    const conditional = await test.request.get('/api/town-crier/feed.xml').set('If-None-Match', first.headers.etag);
    expect(conditional.status).toBe(304);
    expect(conditional.text ?? '').toBe('');

    const atom = await test.request.get('/api/town-crier/feed.atom');
    expect(atom.headers.etag).not.toBe(first.headers.etag);
  });

  it('changes its ETag when a new announcement goes out', async () => {
    const before = (await test.request.get('/api/town-crier/feed.xml')).headers.etag;
    const articleId = await publishArticle(test, { title: 'Neue Baustelle', topic: 'verkehr' });
    await eventually(async () => (await announcementFor(test, articleId))?.broadcastStatus === 'sent');
    const after = await test.request.get('/api/town-crier/feed.xml').set('If-None-Match', before);
    expect(after.status).toBe(200);
    expect(after.text).toContain('Neue Baustelle');
  });
});
