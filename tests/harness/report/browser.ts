/**
 * Debian's chromium under playwright-core, for the report and serve tests: never a downloaded browser,
 * headless, no network of its own; playwright gives every launch a fresh profile (its own --user-data-dir in a
 * temporary folder) and removes it on close.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ROOT } from '../../paths.js';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'tests', 'artifacts');

export function haveChromium(): boolean {
  return existsSync(CHROMIUM);
}

export interface OpenBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<OpenBrowser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Generous: on a loaded CI machine chromium can take tens of seconds to start.
    timeout: 120_000,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}
