import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { VerifyEmailForm } from '@/components/auth/verify-email-form';
import { BackToLogin } from '@/components/auth/back-to-login';
import { Card } from '@/components/card';
import { FormAlert } from '@/components/forms/form-alert';
import { CODE_TTL_MINUTES } from '@/lib/auth/otp';
import { isProduction } from '@/lib/env-edge';

// same-origin, not no-referrer: the address in the URL stays on this site, and form posts keep
// their Origin header (see the reset page).
export const metadata: Metadata = { title: 'Verify your email', referrer: 'same-origin' };

const REASONS: Record<string, string> = {
  unverified: 'Verify your email address to log in: we sent a new code to it.',
  link: 'That link is invalid or has expired. Enter the code from the newest mail, or send a new code.',
};

/**
 * Where a sign-up lands in `required` mode, for a new address and a registered one alike (the page
 * can't tell them apart: it only shows the address it was given), and where a login of an
 * unverified account is sent.
 */
export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { email, reason } = await searchParams;
  const address = typeof email === 'string' && email.length > 0 ? email.slice(0, 254) : undefined;
  const notice = typeof reason === 'string' && Object.hasOwn(REASONS, reason) ? REASONS[reason] : undefined;
  return (
    <Card
      title="Check your email"
      description={
        address ? (
          <>
            We sent a 6-digit code to <strong className="font-medium text-slate-900 wrap-anywhere">{address}</strong>. Enter it to verify
            the address and finish signing up. It works for {CODE_TTL_MINUTES} minutes.
          </>
        ) : (
          'Enter your address and the 6-digit code we emailed to it.'
        )
      }
    >
      {notice && (
        <div className="mb-4">
          <FormAlert id="verify-notice" tone="info">
            {notice}
          </FormAlert>
        </div>
      )}
      <VerifyEmailForm email={address} />
      {!isProduction() && (
        <p className="mt-4 rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Development: mail goes to the local outbox.{' '}
          <Link href="/dev/outbox" className="font-medium underline" target="_blank">
            Open the outbox
          </Link>
        </p>
      )}
      <BackToLogin />
    </Card>
  );
}
