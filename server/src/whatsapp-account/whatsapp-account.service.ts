import type { Core } from '@strapi/strapi';
import { PLUGIN_ID, UID } from '../constants';
import type { ChannelEvent } from '../channels/channel';
import { createBusinessApi, type BusinessApi, type MessagingLimits, type MetaTemplate } from '../channels/whatsapp/whatsapp.business-api';
import { templateProblems, templateSubmissions, type CategoryChange, type TemplateProblem } from '../channels/whatsapp/whatsapp.templates';
import { renderWhatsappMessage, type RenderedWhatsappMessage } from '../channels/whatsapp/whatsapp.render';
import { whatsappStatusTexts } from '../messages/texts';
import { getService } from '../utils/get-service';
import { DAY_MS } from '../utils/time';
import { templateEventRows } from './template-event.rows';

type TemplateUpdate = Extract<ChannelEvent, { type: 'template-update' }>;

/**
 * When Graph API versions are retired, from Meta's changelog (developers.facebook.com/docs/graph-api/changelog,
 * read 2026-11). Versions live about two years; a version not listed here is checked against
 * `apiVersionRetiresOn` when the town sets it.
 */
export const GRAPH_API_RETIREMENTS: Record<string, string> = {
  'v20.0': '2026-09-24',
  'v21.0': '2027-01-21',
};
/** The newest Graph API version when this table was written (released 2026-07-29). */
export const NEWEST_GRAPH_API_VERSION = 'v26.0';
/** Warn this long before the configured version is retired. */
const VERSION_WARNING_DAYS = 60;

export interface AccountSnapshot {
  fetchedAt: string | null;
  limits: MessagingLimits | null;
  templates: MetaTemplate[];
  error: string | null;
}

/**
 * The town's WhatsApp account as Meta sees it: templates (name, language, status, category),
 * the messaging-limit tier and throughput. Read at startup and daily (the daily reach limit
 * follows the tier), and again after a template webhook. Needs `businessAccountId`.
 */
/** A stored template event (content type template-event) as the status page reads it. */
const categoryChangeOf = templateEventRows.pick(['templateName', 'language', 'previousCategory', 'newCategory']);

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');
  const whatsappConfig = () => runtime().config().channels.whatsapp;
  let api: BusinessApi | null = null;
  let snapshot: AccountSnapshot = { fetchedAt: null, limits: null, templates: [], error: null };
  let refreshing: Promise<AccountSnapshot> | null = null;

  /** Only a live WhatsApp channel with a business account id talks to Meta's management API. */
  const liveChannel = () => {
    const channel = runtime().channels().find('whatsapp');
    return channel?.mode === 'live' && whatsappConfig().businessAccountId ? channel : null;
  };
  /**
   * Reading is also allowed in sandbox mode when the town set `sandbox: true` with a token and a
   * business account id: a rehearsal with the real templates, nothing sent. Submitting stays live-only.
   */
  const readableChannel = () => {
    const channel = runtime().channels().find('whatsapp');
    return channel && whatsappConfig().businessAccountId && whatsappConfig().accessToken ? channel : null;
  };
  const businessApi = () => {
    api ??= createBusinessApi(whatsappConfig());
    return api;
  };

  const categoryChanges = async (): Promise<CategoryChange[]> => {
    const rows: unknown[] = await strapi.db.query(UID.templateEvent).findMany({
      where: { channel: 'whatsapp', change: 'category' },
      orderBy: { occurredAt: 'asc' },
      select: ['templateName', 'language', 'previousCategory', 'newCategory'],
      limit: 200,
    });
    return rows.map(categoryChangeOf);
  };

  const versionProblems = (now: number): TemplateProblem['message'][] => {
    const config = whatsappConfig();
    const retiresOn = config.apiVersionRetiresOn ?? GRAPH_API_RETIREMENTS[config.apiVersion];
    if (!retiresOn) return [];
    const days = Math.ceil((Date.parse(`${retiresOn}T00:00:00Z`) - now) / DAY_MS);
    if (days <= 0) return [{ de: whatsappStatusTexts.versionRetired.de(config.apiVersion, retiresOn), en: whatsappStatusTexts.versionRetired.en(config.apiVersion, retiresOn) }];
    if (days <= VERSION_WARNING_DAYS) return [{ de: whatsappStatusTexts.versionEnding.de(config.apiVersion, retiresOn, days), en: whatsappStatusTexts.versionEnding.en(config.apiVersion, retiresOn, days) }];
    return [];
  };

  return {
    /** Reads templates and limits from Meta; at most one read at a time per process. */
    async refresh(): Promise<AccountSnapshot> {
      const channel = readableChannel();
      if (!channel) return snapshot;
      refreshing ??= (async () => {
        try {
          const [limits, templates] = await Promise.all([businessApi().messagingLimits(), businessApi().listTemplates()]);
          // An unknown tier name leaves the limit where it was rather than guessing.
          if (limits.tier) channel.setProviderDailyLimit?.(limits.dailyLimit);
          snapshot = { fetchedAt: new Date().toISOString(), limits, templates, error: null };
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          strapi.log.warn(`[${PLUGIN_ID}] could not read the WhatsApp account from Meta: ${message}`);
          snapshot = { ...snapshot, error: message };
        } finally {
          refreshing = null;
        }
        return snapshot;
      })();
      return refreshing;
    },

    /** The category Meta gave the configured template (lower case), when it was read; news is marketing otherwise. */
    templateCategory(kind: 'announcement' | 'confirmation'): string | null {
      const wanted = whatsappConfig().templates[kind];
      const found = snapshot.templates.find((template) => template.name === wanted.name && template.language === wanted.language);
      return found?.category ? found.category.toLowerCase() : null;
    },

    /**
     * A WhatsApp request body as the citizen's phone shows it: with the template's text as Meta has
     * it once read, else with the wording the plugin submits (marked unconfirmed). Sandbox phone and
     * side panel preview both show this.
     */
    render(body: unknown): RenderedWhatsappMessage {
      return renderWhatsappMessage(body, {
        atMeta: snapshot.fetchedAt ? snapshot.templates : [],
        pluginWording: templateSubmissions(whatsappConfig().templates, runtime().config().town.name),
      });
    },

    /** Bootstrap: read now and then daily; destroy closes the HTTP agents. */
    start() {
      if (!readableChannel()) return;
      void this.refresh();
      runtime().every('whatsapp account', DAY_MS, async () => {
        await this.refresh();
      });
      runtime().onStop(async () => {
        api?.close();
        api = null;
      });
    },

    /** A template webhook is kept for the channel status, and the templates are read again. */
    async recordTemplateUpdate(event: TemplateUpdate) {
      await strapi.db.query(UID.templateEvent).create({
        data: {
          channel: 'whatsapp',
          templateName: event.templateName,
          language: event.language,
          change: event.change,
          status: event.status ?? null,
          reason: event.reason ?? null,
          previousCategory: event.previousCategory ?? null,
          newCategory: event.newCategory ?? null,
          occurredAt: event.at,
        },
      });
      await this.refresh();
    },

    /** Submits the plugin's two templates (German wording of docs/whatsapp-setup.md); Meta answers PENDING and reviews. */
    async submitTemplates(only?: Array<'announcement' | 'confirmation'>) {
      if (!liveChannel()) return { submitted: [], skipped: [{ kind: 'all', reason: 'WhatsApp is not live or has no businessAccountId' }] };
      const config = whatsappConfig();
      const existing = (await this.refresh()).templates;
      const submitted = [];
      const skipped = [];
      for (const template of templateSubmissions(config.templates, runtime().config().town.name)) {
        if (only && !only.includes(template.kind as 'announcement' | 'confirmation')) continue;
        if (existing.some((candidate) => candidate.name === template.name && candidate.language === template.language)) {
          skipped.push({ kind: template.kind, reason: 'exists at Meta' });
          continue;
        }
        // The wording above fills two body parameters and no header or button; another mapping needs its own template.
        if (template.kind === 'announcement' && (config.templates.announcement.body.length !== 2 || config.templates.announcement.header.length || config.templates.announcement.urlButtonIndex !== undefined)) {
          skipped.push({ kind: template.kind, reason: 'the configured parameters differ from the standard wording' });
          continue;
        }
        const { kind, ...body } = template;
        const answer = await businessApi().submitTemplate(body);
        submitted.push({ kind, name: template.name, ...answer });
      }
      await this.refresh();
      return { submitted, skipped };
    },

    /** For the channel status: what Meta has, what is wrong with it, and what Meta said lately. */
    async status(now = Date.now()) {
      const config = whatsappConfig();
      const configured = Boolean(config.businessAccountId);
      const eventRows: unknown[] = await strapi.db.query(UID.templateEvent).findMany({
        where: { channel: 'whatsapp' },
        orderBy: { occurredAt: 'desc' },
        limit: 20,
      });
      const events = eventRows.map(templateEventRows.fromRow);
      const problems: Array<{ code: string; kind?: string; template?: string; message: { de: string; en: string } }> = [];
      if (!configured) problems.push({ code: 'no-business-account', message: { de: whatsappStatusTexts.noBusinessAccount.de(), en: whatsappStatusTexts.noBusinessAccount.en() } });
      if (snapshot.error) problems.push({ code: 'unreadable', message: { de: whatsappStatusTexts.unreadable.de(snapshot.error), en: whatsappStatusTexts.unreadable.en(snapshot.error) } });
      if (snapshot.fetchedAt) problems.push(...templateProblems(config.templates, snapshot.templates, await categoryChanges()));
      problems.push(...versionProblems(now).map((message) => ({ code: 'api-version', message })));
      return {
        businessAccountConfigured: configured,
        fetchedAt: snapshot.fetchedAt,
        messagingLimit: snapshot.limits,
        templates: snapshot.templates.map(({ name, language, status, category }) => ({ name, language, status, category: category ?? null })),
        templateEvents: events.map((event) => ({
          templateName: event.templateName,
          language: event.language ?? null,
          change: event.change,
          status: event.status ?? null,
          reason: event.reason ?? null,
          previousCategory: event.previousCategory ?? null,
          newCategory: event.newCategory ?? null,
          occurredAt: event.occurredAt.toISOString(),
        })),
        apiVersion: {
          configured: config.apiVersion,
          retiresOn: config.apiVersionRetiresOn ?? GRAPH_API_RETIREMENTS[config.apiVersion] ?? null,
          newest: NEWEST_GRAPH_API_VERSION,
        },
        marketingEndpoint: config.marketingEndpoint,
        problems,
      };
    },
  };
};
