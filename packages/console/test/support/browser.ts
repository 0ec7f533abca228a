import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const screenshots = fileURLToPath(new URL('../../../../test-results/console/', import.meta.url));

/** Debian's Chromium under playwright-core, with a fresh profile; fails loudly when it cannot start. */
export async function launchChromium(): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: run scripts/ensure-chromium.sh (make test does) to install Debian's chromium`,
    );
  }
  mkdirSync(screenshots, { recursive: true });
  try {
    return await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'graylane-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 800 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  } catch (error) {
    throw new Error(
      `Chromium (${CHROMIUM}) could not be launched for the console tests: ${(error as Error).message}`,
    );
  }
}
