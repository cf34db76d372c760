import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { RegisterForm } from '@/components/auth/register-form';
import { Card } from '@/components/card';
import { FormAlert } from '@/components/forms/form-alert';
import { getCurrentSession } from '@/lib/auth/dal';
import { signInProviders } from '@/lib/auth/providers';

export const metadata: Metadata = { title: 'Create an account' };

export default async function RegisterPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (await getCurrentSession()) redirect('/account');
  const { reason } = await searchParams;
  return (
    <Card title="Create your account" description="It takes a minute. Every field is required.">
      {reason === 'expired' && (
        <div className="mb-4">
          <FormAlert id="register-reason" tone="info">
            That took too long: the sign-in with your provider expired. Start again.
          </FormAlert>
        </div>
      )}
      <RegisterForm providers={await signInProviders()} />
    </Card>
  );
}
