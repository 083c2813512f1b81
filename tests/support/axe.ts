/**
 * axe-core, the accessibility engine browsers' own audits use, run inside a playwright page:
 * WCAG 2.0/2.1 A and AA rules (contrast, names, labels, roles). Tests assert no violation of
 * impact "serious" or "critical".
 */
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = createRequire(__filename).resolve('axe-core/axe.min.js');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Violations of impact serious or critical inside `selector` (the whole page by default). */
export async function seriousViolations(page: Page, selector?: string): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_SOURCE });
  return page.evaluate(async (context) => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[]; html: string; failureSummary?: string }> }> }> } }).axe;
    const result = await axe.run(context ? { include: [[context]] } : document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        // The element and why it fails ("Element has insufficient color contrast of 3.9 (foreground …)"), to fix it without a browser.
        nodes: violation.nodes.slice(0, 5).map((node) => `${node.html.slice(0, 160)} — ${(node.failureSummary ?? '').split('\n').slice(1).join(' ').trim()}`),
      }));
  }, selector ?? null);
}
