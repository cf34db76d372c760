import type { Locator } from 'playwright-core';

/**
 * Presses a submit button and waits for the server's answer to the post, then for the page to
 * have taken it in (no submit button left pending). What the page says next is that answer, never
 * the one before it still on screen, and nothing typed next is wiped by the form's reset.
 */
export async function submit(button: Locator): Promise<void> {
  const page = button.page();
  // Without JavaScript the post is a navigation, and the answer is the next document.
  let loaded = () => {};
  const nextDocument = new Promise<void>((resolve) => (loaded = resolve));
  page.once('domcontentloaded', loaded);
  try {
    const [response] = await Promise.all([page.waitForResponse((response) => response.request().method() === 'POST'), button.click()]);
    if (response.request().isNavigationRequest()) await nextDocument;
  } finally {
    page.off('domcontentloaded', loaded);
  }
  // With JavaScript off nothing is ever pending, and this passes at its first look.
  await page.waitForFunction(() => !document.querySelector('button[type="submit"][disabled]'), undefined, { polling: 25 });
}
