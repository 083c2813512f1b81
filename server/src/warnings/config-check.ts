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
  // Auto-publish is for warnings that must not wait (severe and extreme become emergencies, which go at once with the
  // approval afterwards); a minor or moderate warning is news an editor reads first.
  for (const [index, rule] of config.warnings.autoPublish.entries()) {
    if (rule.minSeverity === 'minor' || rule.minSeverity === 'moderate') {
      problems.push(`warnings.autoPublish.${index}.minSeverity: '${rule.minSeverity}' is not an emergency; auto-publish starts at 'severe' (editors publish the rest from the draft)`);
    }
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
