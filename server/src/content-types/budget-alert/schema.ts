/**
 * Which budget thresholds were mailed in which month: a row is claimed before the mail goes
 * (unique on month and threshold in the database), so every threshold is mailed once per month,
 * across restarts and worker processes. Written only by costs/budget-alerts.ts.
 */
export default {
  kind: 'collectionType',
  collectionName: 'town_crier_budget_alerts',
  info: { singularName: 'budget-alert', pluralName: 'budget-alerts', displayName: 'Town Crier budget alert' },
  options: { draftAndPublish: false },
  pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
  attributes: {
    /** `YYYY-MM` in the town's time zone. */
    month: { type: 'string', required: true },
    /** Percent of the month's amount. */
    threshold: { type: 'integer', required: true },
    mailedAt: { type: 'datetime' },
  },
} as const;
