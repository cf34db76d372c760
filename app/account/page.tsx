import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { VerifyEmailBanner } from '@/components/account/verify-email-banner';
import { FormAlert } from '@/components/forms/form-alert';
import { verificationMode } from '@/lib/account/verification';
import { requireSession } from '@/lib/auth/dal';
import { COPY_META, copyDigest } from '@/lib/auth/page-copy';
import { formatBirthday, formatDate } from '@/lib/format';

export const metadata: Metadata = { title: 'Your account' };

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function AccountPage({ searchParams }: { searchParams: Search }) {
  const { user } = await requireSession('/account');
  const { welcome, reset, verified } = await searchParams;
  const askToVerify = !user.emailVerifiedAt && verificationMode() !== 'off';

  const rows: [string, string][] = [
    ['Name', `${user.firstName} ${user.lastName}`],
    ['Username', user.username],
    ['Email', user.email],
    ...(verificationMode() === 'off' ? [] : ([['Email verified', user.emailVerifiedAt ? 'Yes' : 'Not yet']] as [string, string][])),
    ['Date of birth', formatBirthday(user.dateOfBirth)],
    ['Member since', formatDate(user.createdAt)],
  ];

  return (
    <div className="space-y-6">
      {/* What the server's copy of this page is kept under (lib/auth/page-copy.ts). */}
      <meta name={COPY_META} content={copyDigest(user)} />
      {welcome === '1' && (
        <FormAlert id="welcome" tone="success">
          Welcome to Gatehouse, {user.firstName}! Your account is ready.
        </FormAlert>
      )}
      {verified === '1' && user.emailVerifiedAt && (
        <FormAlert id="verified" tone="success">
          Your email address is verified.
        </FormAlert>
      )}
      {askToVerify && <VerifyEmailBanner email={user.email} />}
      {reset === '1' && (
        <FormAlert id="reset-done" tone="success">
          Your password was changed and every other session was signed out. You’re logged in with the new password.
        </FormAlert>
      )}
      <section aria-labelledby="profile-heading" className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <h1 id="profile-heading" className="text-2xl font-semibold tracking-tight">
          Your account
        </h1>
        <p className="mt-1 text-sm text-slate-600">This is the profile other parts of the site see.</p>
        <dl className="mt-6 divide-y divide-slate-100">
          {rows.map(([label, value]) => (
            <div key={label} className="grid gap-1 py-3 sm:grid-cols-3 sm:gap-4">
              <dt className="text-sm font-medium text-slate-500">{label}</dt>
              <dd className="text-slate-900 wrap-anywhere sm:col-span-2" data-field={label}>
                {value}
              </dd>
            </div>
          ))}
        </dl>
        <div className="mt-6 flex flex-wrap gap-3 text-sm">
          <Link href="/account/profile" className="rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-500">
            Edit profile
          </Link>
          <Link href="/account/security" className="rounded-lg px-4 py-2 font-semibold text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50">
            Password and sessions
          </Link>
        </div>
      </section>
    </div>
  );
}
