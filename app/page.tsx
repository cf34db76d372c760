import { KeyRound, ShieldCheck, UserRound } from 'lucide-react';
import { Link } from '@/components/link';
import { getCurrentSession } from '@/lib/auth/dal';

const features = [
  { Icon: UserRound, title: 'One account', text: 'Sign up once, log in with your email or username.' },
  { Icon: ShieldCheck, title: 'Safe sessions', text: 'Signed sessions that you can end from anywhere.' },
  { Icon: KeyRound, title: 'Your password, protected', text: 'Slow salted hashing; common passwords refused.' },
];

export default async function HomePage() {
  const session = await getCurrentSession();
  return (
    <div className="space-y-10">
      <section className="space-y-4 text-center sm:text-left">
        <h1 className="text-3xl font-semibold tracking-tight sm:text-4xl">Gatehouse</h1>
        {session ? (
          <>
            <p id="visitor-state" className="text-lg text-slate-700">
              You’re logged in as <strong>{session.user.username}</strong>.
            </p>
            <Link href="/account" className="inline-flex rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-500">
              Go to your account
            </Link>
          </>
        ) : (
          <>
            <p id="visitor-state" className="text-lg text-slate-700">
              You’re not logged in. Create an account or log in to continue.
            </p>
            <div className="flex flex-col gap-3 sm:flex-row">
              <Link href="/register" className="rounded-lg bg-indigo-600 px-4 py-2 text-center font-semibold text-white hover:bg-indigo-500">
                Create an account
              </Link>
              <Link href="/login" className="rounded-lg px-4 py-2 text-center font-semibold text-slate-800 ring-1 ring-slate-300 hover:bg-white">
                Log in
              </Link>
            </div>
          </>
        )}
      </section>
      <ul className="grid gap-4 sm:grid-cols-3">
        {features.map(({ Icon, title, text }) => (
          <li key={title} className="rounded-xl border border-slate-200 bg-white p-4">
            <Icon aria-hidden className="text-indigo-600" size={20} />
            <h2 className="mt-2 font-medium">{title}</h2>
            <p className="mt-1 text-sm text-slate-600">{text}</p>
          </li>
        ))}
      </ul>
    </div>
  );
}
