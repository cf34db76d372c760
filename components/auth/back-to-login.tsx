import { Link } from '@/components/link';

/** The way back from a recovery or verification page to the login form. */
export function BackToLogin() {
  return (
    <p className="mt-4 text-center text-sm text-slate-600">
      <Link href="/login" className="font-medium text-indigo-700 hover:underline">
        Back to log in
      </Link>
    </p>
  );
}
