import { DoorOpen } from 'lucide-react';
import { Link } from '@/components/link';
import { logout } from '@/app/(auth)/actions';
import { getCurrentSession } from '@/lib/auth/dal';
import { SubmitButton } from './forms/submit-button';

export async function SiteHeader() {
  const session = await getCurrentSession();
  return (
    <header className="border-b border-slate-200 bg-white">
      <nav aria-label="Main" className="mx-auto flex max-w-3xl items-center justify-between gap-3 px-4 py-3">
        <Link href="/" className="flex items-center gap-2 font-semibold text-slate-900">
          <DoorOpen aria-hidden size={22} className="text-indigo-600" />
          Gatehouse
        </Link>
        {session ? (
          <div className="flex min-w-0 items-center gap-3">
            <Link href="/account" className="truncate text-sm font-medium text-slate-700 hover:text-slate-900" data-testid="header-username">
              {session.user.username}
            </Link>
            <form action={logout} className="shrink-0">
              <SubmitButton variant="subtle" pendingLabel="Logging out…" className="whitespace-nowrap">
                Log out
              </SubmitButton>
            </form>
          </div>
        ) : (
          <div className="flex items-center gap-2 text-sm">
            <Link href="/login" className="rounded-lg px-3 py-2 font-medium text-slate-700 hover:bg-slate-100">
              Log in
            </Link>
            <Link href="/register" className="rounded-lg bg-indigo-600 px-3 py-2 font-semibold text-white hover:bg-indigo-500">
              Sign up
            </Link>
          </div>
        )}
      </nav>
    </header>
  );
}
