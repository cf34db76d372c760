import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { RegisterForm } from '@/components/auth/register-form';
import { Card } from '@/components/card';
import { getCurrentSession } from '@/lib/auth/dal';

export const metadata: Metadata = { title: 'Create an account' };

export default async function RegisterPage() {
  if (await getCurrentSession()) redirect('/account');
  return (
    <Card title="Create your account" description="It takes a minute. Every field is required.">
      <RegisterForm />
    </Card>
  );
}
