// A real browser for end-to-end tests: Debian's Chromium driven by
// playwright-core (no downloaded browsers), in a fresh temporary profile
// that is removed afterwards, so runs never share state.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  /** The context's first page, ready to use. */
  page: Page;
  /** Closes Chromium and removes its profile; safe to call twice. */
  close(): Promise<void>;
}

export interface LaunchOptions {
  viewport?: { width: number; height: number };
  /** Milliseconds for each action and navigation. */
  timeoutMs?: number;
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'workshop-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      viewport: options.viewport ?? { width: 1280, height: 800 },
      timeout: 20_000,
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  context.setDefaultTimeout(options.timeoutMs ?? 10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  let closed = false;
  return {
    context,
    page,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

/** Runs `fn` with a fresh browser, and always closes it. */
export async function withBrowser<T>(fn: (page: Page, browser: Browser) => Promise<T>, options?: LaunchOptions): Promise<T> {
  const browser = await launchBrowser(options);
  try {
    return await fn(browser.page, browser);
  } finally {
    await browser.close();
  }
}

/**
 * Brings a part of the workshop page into view as a learner would: a tool's
 * tab beside the app on a laptop (Redis, Checks, Workspace), or its button
 * in the bar at the bottom on a phone.
 */
export async function showPane(page: Page, name: 'slides' | 'app' | 'redis' | 'checks' | 'workspace'): Promise<void> {
  const bar = page.locator(`#panes button[data-pane="${name}"]`);
  if (await bar.isVisible()) return bar.click();
  if (name === 'slides' || name === 'app') return;
  await page.locator(`#tools [role="tab"][data-tool="${name}"]`).click();
}
