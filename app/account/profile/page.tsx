import type { Metadata } from 'next';
import { ProfileForm, type ProfileValues } from '@/components/account/profile-form';
import { Section } from '@/components/section';
import { requireSession } from '@/lib/auth/dal';

export const metadata: Metadata = { title: 'Edit profile' };

export default async function ProfilePage() {
  const { user } = await requireSession('/account/profile');
  const current: ProfileValues = {
    username: user.username,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    dateOfBirth: user.dateOfBirth,
    version: String(user.updatedAt.getTime()),
  };
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Edit profile</h1>
      <Section
        id="partial"
        title="Change some details"
        description="Fill in only what you want to change; blank fields stay as they are."
      >
        <ProfileForm mode="partial" current={current} />
      </Section>
      <Section id="full" title="Replace your whole profile" description="Every field is required. It starts with your current details.">
        <ProfileForm mode="full" current={current} />
      </Section>
    </div>
  );
}
