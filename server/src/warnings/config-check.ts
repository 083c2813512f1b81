import type { PluginConfig } from '../config/schema';

/**
 * What is wrong with the warnings block beyond its own schema: auto-publish only where a person
 * approves afterwards ("goes at once, approval afterwards"), and village codes only for villages
 * the town has.
 */
export function warningsConfigProblems(config: PluginConfig): string[] {
  const problems: string[] = [];
  if (config.warnings.autoPublish.length && (!config.broadcast.approval.enabled || config.broadcast.approval.emergency !== 'send-then-approve')) {
    problems.push(
      "warnings.autoPublish: needs broadcast.approval switched on (enabled: true) with emergency: 'send-then-approve', so that a person approves every warning that went out on its own"
    );
  }
  const slugs = new Set(config.town.villages.map((village) => village.slug));
  const areas = [
    ['warnings.dwd.warnCellIds.villages', config.warnings.dwd?.warnCellIds.villages],
    ['warnings.nina.areaCodes.villages', config.warnings.nina?.areaCodes.villages],
  ] as const;
  for (const [path, villages] of areas) {
    for (const slug of Object.keys(villages ?? {})) if (!slugs.has(slug)) problems.push(`${path}.${slug}: no village of town.villages has this slug`);
  }
  if (config.warnings.contentType && !config.contentTypes[config.warnings.contentType]) problems.push(`warnings.contentType: ${config.warnings.contentType} is not one of contentTypes`);
  return problems;
}
