import type { AxiosInstance } from 'axios';
import type { WhatsappConfig } from './whatsapp.config';
import { createProviderClient } from '../http-client';
import { toWhatsappSendError } from './whatsapp.errors';

/**
 * Meta's Business Management side of WhatsApp: the town's templates (`/<WABA_ID>/message_templates`)
 * and what the phone number may send (`whatsapp_business_manager_messaging_limit`, `throughput`).
 * Read a few times a day; the Graph API allows 200 such calls per hour per WABA.
 */

export interface MetaTemplateComponent {
  type: string;
  format?: string;
  text?: string;
  buttons?: Array<{ type: string; text?: string; url?: string }>;
}

export interface MetaTemplate {
  id?: string;
  name: string;
  language: string;
  status: string;
  category?: string;
  components: MetaTemplateComponent[];
}

export interface MessagingLimits {
  /** `TIER_250`, `TIER_2K`, `TIER_10K`, `TIER_100K`, `TIER_UNLIMITED` (Meta's names). */
  tier: string | null;
  /** The tier as a number of citizens per rolling 24 hours; null for unlimited or unknown. */
  dailyLimit: number | null;
  /** Messages per second the number may send (`throughput.level`: STANDARD = 80, HIGH = 1,000). */
  throughputLevel: string | null;
}

const TIERS: Record<string, number | null> = {
  TIER_50: 50,
  TIER_250: 250,
  TIER_1K: 1_000,
  TIER_2K: 2_000,
  TIER_10K: 10_000,
  TIER_100K: 100_000,
  TIER_UNLIMITED: null,
};

/** Meta's tier name as citizens per day; `undefined` when the name is not one we know. */
export function tierLimit(tier: string | null | undefined): number | null | undefined {
  if (!tier) return undefined;
  return Object.hasOwn(TIERS, tier) ? TIERS[tier] : undefined;
}

interface TemplatesPage {
  data?: unknown[];
  paging?: { cursors?: { after?: string }; next?: string };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function toTemplate(value: unknown): MetaTemplate | null {
  if (!isRecord(value) || typeof value.name !== 'string' || typeof value.language !== 'string') return null;
  const components = Array.isArray(value.components) ? value.components.filter(isRecord).map((component) => component as unknown as MetaTemplateComponent) : [];
  return {
    ...(typeof value.id === 'string' ? { id: value.id } : {}),
    name: value.name,
    language: value.language,
    status: typeof value.status === 'string' ? value.status : 'UNKNOWN',
    ...(typeof value.category === 'string' ? { category: value.category } : {}),
    components,
  };
}

export interface BusinessApi {
  listTemplates(): Promise<MetaTemplate[]>;
  messagingLimits(): Promise<MessagingLimits>;
  submitTemplate(template: { name: string; language: string; category: string; components: unknown[] }): Promise<{ id: string; status: string; category: string | null }>;
  close(): void;
}

export function createBusinessApi(config: Pick<WhatsappConfig, 'baseUrl' | 'requestTimeoutMs' | 'accessToken' | 'apiVersion' | 'phoneNumberId' | 'businessAccountId'>): BusinessApi {
  const provider = createProviderClient({ baseUrl: config.baseUrl, timeoutMs: config.requestTimeoutMs, headers: { Authorization: `Bearer ${config.accessToken}` } });
  const client: AxiosInstance = provider.client;
  const secrets = [config.accessToken].filter(Boolean);
  const version = config.apiVersion;
  const waba = encodeURIComponent(config.businessAccountId);
  const fail = (error: unknown): never => {
    throw toWhatsappSendError(error, secrets);
  };

  return {
    async listTemplates() {
      const templates: MetaTemplate[] = [];
      let after: string | undefined;
      // 100 per page; a town has a handful, the page limit only guards against a paging loop.
      for (let page = 0; page < 20; page += 1) {
        const response = await client
          .get<TemplatesPage>(`/${version}/${waba}/message_templates`, {
            params: { fields: 'id,name,language,status,category,components', limit: 100, ...(after ? { after } : {}) },
          })
          .catch(fail);
        for (const item of response.data?.data ?? []) {
          const template = toTemplate(item);
          if (template) templates.push(template);
        }
        after = response.data?.paging?.next ? response.data.paging.cursors?.after : undefined;
        if (!after) break;
      }
      return templates;
    },

    async messagingLimits() {
      const response = await client
        .get<Record<string, unknown>>(`/${version}/${encodeURIComponent(config.phoneNumberId)}`, { params: { fields: 'whatsapp_business_manager_messaging_limit,throughput' } })
        .catch(fail);
      const body = response.data ?? {};
      const tier = typeof body.whatsapp_business_manager_messaging_limit === 'string' ? body.whatsapp_business_manager_messaging_limit : null;
      const throughput = isRecord(body.throughput) && typeof body.throughput.level === 'string' ? body.throughput.level : null;
      return { tier, dailyLimit: tierLimit(tier) ?? null, throughputLevel: throughput };
    },

    async submitTemplate(template) {
      const response = await client.post<Record<string, unknown>>(`/${version}/${waba}/message_templates`, template).catch(fail);
      const body = response.data ?? {};
      return { id: String(body.id ?? ''), status: String(body.status ?? 'PENDING'), category: typeof body.category === 'string' ? body.category : null };
    },

    close() {
      provider.close();
    },
  };
}
