// Brings the page's Redis panel into view, as a learner would: its tab under
// the app on a laptop, its pane from the bar at the bottom on a phone (on a
// page that has them; an older page shows the panel in the side column).
import { expect } from 'vitest';
import type { Page } from 'playwright-core';

export async function showRedisPanel(page: Page): Promise<void> {
  for (const selector of ['#tab-redis', '#panes [data-pane="redis"]']) {
    const control = page.locator(selector);
    if ((await control.count()) && (await control.isVisible())) await control.click();
  }
  await expect.poll(() => page.locator('#redis-panel').isVisible(), { timeout: 10_000 }).toBe(true);
}
