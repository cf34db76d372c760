import { Link } from '@/components/link';

export default function NotFound() {
  return (
    <div className="space-y-3 text-center">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="text-slate-600">There is nothing at this address.</p>
      <Link href="/" className="font-medium text-indigo-700 hover:underline">
        Go to the home page
      </Link>
    </div>
  );
}
