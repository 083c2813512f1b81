import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';

const ROOT = path.resolve(__dirname, '../..');
export const SCREENSHOTS = path.join(ROOT, 'test-results/screenshots');
const DOC_IMAGES = path.join(ROOT, 'docs/images');

/**
 * A screenshot for test-results/screenshots/, copied to docs/images/ (which docs/admin-ui.md
 * shows) when UPDATE_DOCS_SCREENSHOTS is set: the docs are refreshed on request, so an ordinary
 * test run leaves the checkout clean.
 */
export async function docScreenshot(page: Page, name: string, options: { fullPage?: boolean; element?: Locator; clip?: { x: number; y: number; width: number; height: number } } = {}) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  // `element`: only that part of the page (a panel), not the whole view. A resize just before may make
  // the admin render that part anew: the element the first try found is then detached, and the locator
  // finds the new one on the next try.
  if (options.element) await elementScreenshot(options.element, file);
  else await page.screenshot({ path: file, fullPage: options.fullPage ?? false, ...(options.clip ? { clip: options.clip } : {}) });
  if (process.env.UPDATE_DOCS_SCREENSHOTS) {
    mkdirSync(DOC_IMAGES, { recursive: true });
    copyFileSync(file, path.join(DOC_IMAGES, `${name}.png`));
  }
  return file;
}

async function elementScreenshot(element: Locator, file: string, tries = 3): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await element.waitFor({ state: 'visible' });
      await element.screenshot({ path: file });
      return;
    } catch (error) {
      if (attempt >= tries || !/not attached to the DOM/.test(String(error))) throw error;
    }
  }
}
