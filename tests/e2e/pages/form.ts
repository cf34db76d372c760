import type { Locator } from 'playwright-core';

/**
 * Presses a submit button and waits for the server's answer to the post, then for the page to
 * have taken it in (no submit button left pending). What the page says next is that answer, never
 * the one before it still on screen, and nothing typed next is wiped by the form's reset.
 */
export async function submit(button: Locator): Promise<void> {
  const page = button.page();
  await Promise.all([page.waitForResponse((response) => response.request().method() === 'POST'), button.click()]);
  // Polling, not requestAnimationFrame: pages under test may run with JavaScript off.
  await page.waitForFunction(() => !document.querySelector('button[type="submit"][disabled]'), undefined, { polling: 25 });
}
