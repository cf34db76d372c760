import type { ReactNode } from 'react';
import { AccountNav } from '@/components/account/account-nav';

// No session check here: layouts don't re-run on every navigation. Each page calls requireSession.
export default function AccountLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <AccountNav />
      {children}
    </>
  );
}
