import type { Metadata } from 'next';
import { ForgotPasswordForm } from '@/components/auth/forgot-password-form';
import { Card } from '@/components/card';

export const metadata: Metadata = { title: 'Forgot password' };

export default async function ForgotPasswordPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { email } = await searchParams;
  return (
    <Card title="Forgot your password?" description="Enter the email address of your account. We’ll send you a 6-digit code to set a new password.">
      <ForgotPasswordForm email={typeof email === 'string' ? email.slice(0, 254) : undefined} />
    </Card>
  );
}
