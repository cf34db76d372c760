import type { Metadata } from 'next';
import { Link } from '@/components/link';

export const metadata: Metadata = { title: 'Account deleted' };

export default function GoodbyePage() {
  return (
    <div className="mx-auto max-w-md space-y-3 text-center">
      <h1 className="text-2xl font-semibold">Your account has been deleted</h1>
      <p className="text-slate-600">Your profile, sessions and activity are gone, and you have been logged out. Thank you for having been with us.</p>
      <Link href="/" className="font-medium text-indigo-700 hover:underline">
        Back to the home page
      </Link>
    </div>
  );
}
