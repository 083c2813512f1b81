import type { TestStrapi } from './strapi';

/** The document service of a localized news type, as the language tests use it (Strapi's own types are per content type). */
export interface LocalizedDocuments {
  create(params: object): Promise<{ documentId: string }>;
  update(params: object): Promise<unknown>;
  publish(params: object): Promise<unknown>;
}

export const localizedDocuments = (test: TestStrapi, uid: string) => test.strapi.documents(uid as never) as unknown as LocalizedDocuments;

/** Strapi's i18n locales the test publishes in, created once. */
export async function ensureLocales(test: TestStrapi, codes: readonly string[]) {
  const locales = test.strapi.plugin('i18n').service('locales') as { find(params: object): Promise<Array<{ code: string }>>; create(data: object): Promise<unknown> };
  for (const code of codes) {
    if (!(await locales.find({ code })).length) await locales.create({ code, name: code });
  }
}
