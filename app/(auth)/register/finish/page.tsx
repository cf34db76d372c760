import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { BackToLogin } from '@/components/auth/back-to-login';
import { FinishAccountForm } from '@/components/auth/finish-account-form';
import { Card } from '@/components/card';
import { getCurrentSession } from '@/lib/auth/dal';
import { pendingNewIdentity } from '@/lib/auth/provider-flow';
import { providerName } from '@/lib/auth/providers';
import { USERNAME_MAX } from '@/lib/validation/fields';

export const metadata: Metadata = { title: 'Finish creating your account' };

/** A provider's login as a username of ours: letters and digits only. */
const asUsername = (login?: string) => login?.replace(/[^A-Za-z0-9]/g, '').slice(0, USERNAME_MAX) || undefined;

export default async function FinishAccountPage() {
  if (await getCurrentSession()) redirect('/account');
  const pending = await pendingNewIdentity();
  if (!pending) redirect('/register?reason=expired');
  const name = providerName(pending.provider);
  return (
    <Card
      title="Finish creating your account"
      description={
        <>
          {name} confirmed your email address, <strong className="font-medium text-slate-900">{pending.email}</strong>. A few more details and your
          account is ready; you’ll sign in with {name}.
        </>
      }
    >
      <FinishAccountForm suggested={{ ...pending.suggested, username: asUsername(pending.suggested.username) }} />
      <BackToLogin />
    </Card>
  );
}
