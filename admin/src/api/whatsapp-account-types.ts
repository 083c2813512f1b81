/** The WhatsApp account as Meta has it, on the channel status (server/src/whatsapp-account/whatsapp-account.service.ts). */
export interface WhatsappAccountStatus {
  businessAccountConfigured: boolean;
  fetchedAt: string | null;
  messagingLimit: { tier: string | null; dailyLimit: number | null; throughputLevel: string | null } | null;
  templates: Array<{ name: string; language: string; status: string; category: string | null }>;
  templateEvents: Array<{
    templateName: string;
    language: string | null;
    change: 'status' | 'category';
    status: string | null;
    reason: string | null;
    previousCategory: string | null;
    newCategory: string | null;
    occurredAt: string;
  }>;
  apiVersion: { configured: string; retiresOn: string | null; newest: string };
  marketingEndpoint: 'messages' | 'marketing_messages';
  problems: Array<{ code: string; kind?: string; template?: string; message: { de: string; en: string } }>;
}
