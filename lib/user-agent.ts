import Bowser from 'bowser';

/** "Chrome 156 on Linux" from a User-Agent header, for the sessions and activity lists. */
export function describeUserAgent(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const { browser, os, platform } = Bowser.parse(userAgent);
  const name = browser.name ? `${browser.name}${browser.version ? ` ${browser.version.split('.')[0]}` : ''}` : null;
  const system = os.name ? `${os.name}${platform.type === 'mobile' || platform.type === 'tablet' ? ` (${platform.type})` : ''}` : null;
  if (name && system) return `${name} on ${system}`;
  return name ?? system ?? 'Unknown device';
}
