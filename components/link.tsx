'use client';

import NextLink from 'next/link';
import { useRouter } from 'next/navigation';
import type { ComponentProps, FocusEvent, MouseEvent, TouchEvent } from 'react';

type Props = Omit<ComponentProps<typeof NextLink>, 'href' | 'prefetch'> & { href: string };

/**
 * A link to a page of this site that prefetches when a person reaches for it (pointer over it,
 * focus, touch), not when it comes into view. Every page here is rendered per request (it reads
 * the session), so Next's prefetch-on-sight made each page view send the server two to five
 * more requests, one or two per visible link, mostly for links nobody follows; a page from the
 * server's copy (scripts/page-cache.mjs) then cost more in prefetches than itself. Prefetching
 * on intent still starts the next page before the click lands.
 */
export function Link({ href, onMouseEnter, onFocus, onTouchStart, ...props }: Props) {
  const router = useRouter();
  const prefetch = () => router.prefetch(href);
  return (
    <NextLink
      href={href}
      prefetch={false}
      onMouseEnter={(event: MouseEvent<HTMLAnchorElement>) => {
        prefetch();
        onMouseEnter?.(event);
      }}
      onFocus={(event: FocusEvent<HTMLAnchorElement>) => {
        prefetch();
        onFocus?.(event);
      }}
      onTouchStart={(event: TouchEvent<HTMLAnchorElement>) => {
        prefetch();
        onTouchStart?.(event);
      }}
      {...props}
    />
  );
}
