import type { Core } from '@strapi/strapi';

/** A plain-text mail to admins (approvers, editors, the budget's recipients). */
export interface AdminMail {
  to: string;
  subject: string;
  text: string;
}

/** What the plugin uses of Strapi's email service. */
export interface EmailService {
  send(mail: AdminMail): Promise<unknown>;
}

/**
 * Strapi's email plugin's service (whatever provider the host configured under `plugins.email`),
 * or null when the host runs without the plugin. The one place that names its shape: Strapi types
 * a plugin's services loosely.
 */
export function emailService(strapi: Core.Strapi): EmailService | null {
  const plugin = strapi.plugin('email');
  return plugin ? (plugin.service('email') as EmailService) : null;
}
