import type { Metadata } from 'next';
import { ResetPasswordForm } from '@/components/auth/reset-password-form';
import { BackToLogin } from '@/components/auth/back-to-login';
import { Card } from '@/components/card';
import { FormAlert } from '@/components/forms/form-alert';
import { CODE_SENT } from '@/lib/account/recovery';

// same-origin, not no-referrer: the address in the URL stays on this site, and form posts keep
// their Origin header (with no-referrer, Chromium sends `Origin: null` and Next refuses the action).
export const metadata: Metadata = { title: 'Set a new password', referrer: 'same-origin' };

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { email, sent } = await searchParams;
  const justSent = sent === '1';
  return (
    <Card title="Set a new password" description="Enter the code we emailed you and choose a new password.">
      {justSent && (
        <div className="mb-4">
          <FormAlert id="code-sent" tone="info">
            {CODE_SENT}
          </FormAlert>
        </div>
      )}
      <ResetPasswordForm email={typeof email === 'string' ? email.slice(0, 254) : undefined} justSent={justSent} />
      <BackToLogin />
    </Card>
  );
}
