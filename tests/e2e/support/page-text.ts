import type { Page } from 'playwright-core';
import { expect } from 'vitest';

// What a page says, read as a person reads it.

export async function textOf(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).innerText()).trim();
}

/**
 * Waits for an element to show exactly `text`, as a person waits for an answer: up to 20 s, since
 * CI runs two test files side by side on two cores, each with its own servers and browsers.
 */
export async function expectText(page: Page, selector: string, text: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await page.waitForFunction(
        ([sel, want]) => (document.querySelector(sel!) as HTMLElement | null)?.innerText.trim() === want,
        [selector, text],
        // Polling, not requestAnimationFrame: pages under test may run with JavaScript off.
        { timeout: Math.max(1, deadline - Date.now()), polling: 25 },
      );
      break;
    } catch {
      // A wait can end in an error before its time: without JavaScript a form post is a
      // navigation, which can end the document being watched. Wait again, on the new one.
      if (Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const shown = await page.locator(selector).innerText({ timeout: 1_000 }).catch(() => whereInstead(page));
  expect(shown).toBe(text);
}

/** For a failure's message: the page a person is on instead, by its address and heading. */
async function whereInstead(page: Page): Promise<string> {
  const heading = await page.locator('h1').first().innerText({ timeout: 1_000 }).catch(() => '(no heading)');
  return `(no such element: ${page.url()} says "${heading.trim()}")`;
}
