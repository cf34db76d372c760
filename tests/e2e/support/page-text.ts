import type { Page } from 'playwright-core';
import { expect } from 'vitest';

// What a page says, read as a person reads it.

export async function textOf(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).innerText()).trim();
}

/**
 * Waits for an element to show exactly `text`, as a person waits for an answer: up to 20 s, since
 * CI runs two test files side by side on two cores, each with its own servers and browsers.
 * Polled from here, not in the page: with JavaScript off the page's timers never fire, so a wait
 * inside it looks once, and a form post replaces the document being watched.
 */
export async function expectText(page: Page, selector: string, text: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  let shown: string | undefined;
  while (Date.now() < deadline) {
    shown = await page
      .evaluate((sel) => (document.querySelector(sel) as HTMLElement | null)?.innerText.trim(), selector)
      .catch(() => undefined);
    if (shown === text) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  expect(shown ?? (await whereInstead(page))).toBe(text);
}

/** For a failure's message: the page a person is on instead, by its address and heading. */
async function whereInstead(page: Page): Promise<string> {
  const heading = await page.locator('h1').first().innerText({ timeout: 1_000 }).catch(() => '(no heading)');
  return `(no such element: ${page.url()} says "${heading.trim()}")`;
}
