import type { Metadata } from 'next';
import { ConfirmEmailForm } from '@/components/account/confirm-email-form';
import { ProfileForm, type ProfileValues } from '@/components/account/profile-form';
import { FormAlert } from '@/components/forms/form-alert';
import { Section } from '@/components/section';
import { pendingEmailChange } from '@/lib/account/email-change';
import { requireSession } from '@/lib/auth/dal';
import { hasPassword } from '@/lib/db/queries/identities';
import { pageQuery } from '@/lib/unavailable';

export const metadata: Metadata = { title: 'Edit profile' };

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function ProfilePage({ searchParams }: { searchParams: Search }) {
  const { user } = await requireSession('/account/profile');
  const { email: emailStatus } = await searchParams;
  const current: ProfileValues = {
    username: user.username,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    dateOfBirth: user.dateOfBirth,
    version: String(user.updatedAt.getTime()),
  };
  const [pendingEmail, passwordSet] = await pageQuery('/account/profile', Promise.all([pendingEmailChange(user.id), hasPassword(user.id)]));
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Edit profile</h1>
      {emailStatus === 'confirmed' && !pendingEmail && (
        <FormAlert id="email-confirmed" tone="success">
          Your email is now {user.email}. We let your previous address know.
        </FormAlert>
      )}
      {pendingEmail && (
        <Section
          id="confirm-email"
          title="Confirm your new email"
          description={`Your email stays ${user.email} until you enter the code we sent to ${pendingEmail}.`}
        >
          <ConfirmEmailForm pendingEmail={pendingEmail} key={pendingEmail} />
        </Section>
      )}
      <Section
        id="partial"
        title="Change some details"
        description="Fill in only what you want to change; blank fields stay as they are."
      >
        <ProfileForm mode="partial" current={current} hasPassword={passwordSet} />
      </Section>
      <Section id="full" title="Replace your whole profile" description="Every field is required. It starts with your current details.">
        <ProfileForm mode="full" current={current} hasPassword={passwordSet} />
      </Section>
    </div>
  );
}
