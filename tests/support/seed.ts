import type { TestStrapi } from './strapi';

export async function seedTopics(test: TestStrapi, topics: Array<[name: string, slug: string]>) {
  const ids: Record<string, number> = {};
  for (const [name, slug] of topics) {
    const topic = (await test.strapi.db.query('plugin::town-crier.topic').create({ data: { name, slug, active: true } })) as { id: number };
    ids[slug] = topic.id;
  }
  return ids;
}

/** An already confirmed subscriber, as if they had gone through double opt-in. */
export async function seedSubscriber(
  test: TestStrapi,
  address: string,
  options: { topics?: number[]; status?: 'active' | 'pending' | 'unsubscribed'; channel?: string } = {}
): Promise<number> {
  const row = (await test.strapi.db.query('plugin::town-crier.subscriber').create({
    data: {
      channel: options.channel ?? 'whatsapp',
      address,
      status: options.status ?? 'active',
      topics: options.topics ?? [],
      confirmedAt: new Date(),
      locale: 'de',
    },
  })) as { id: number };
  return row.id;
}

let slugCounter = 0;
/** Publishes a news article the way an editor's Publish does, through the document service. */
export async function publishArticle(test: TestStrapi, fields: { title: string; topic?: string; urgency?: string; silent?: boolean; summary?: string }) {
  slugCounter += 1;
  const article = (await test.strapi.documents('api::article.article' as never).create({
    data: { summary: `Zusammenfassung: ${fields.title}`, slug: `artikel-${slugCounter}`, ...fields },
    status: 'published',
  } as never)) as { documentId: string };
  return article.documentId;
}

export async function announcementFor(test: TestStrapi, articleDocumentId: string) {
  return test.strapi.db.query('plugin::town-crier.announcement').findOne({
    where: { sourceDocumentId: articleDocumentId, publishedAt: { $notNull: true } },
  }) as Promise<Record<string, unknown> & { documentId: string; broadcastStatus: string } | null>;
}

export async function deliveriesOf(test: TestStrapi, announcementDocumentId: string) {
  return test.strapi.db.query('plugin::town-crier.delivery').findMany({
    where: { announcementDocumentId },
    orderBy: { subscriberId: 'asc' },
  }) as Promise<Array<Record<string, unknown> & { subscriberId: number; status: string; attempts: number; lastErrorCode: string | null }>>;
}
