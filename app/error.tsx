'use client';

// Shown instead of any unexpected error: never a stack trace. The server logs the details.
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="space-y-3 text-center">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p className="text-slate-600">Please try again. If it keeps happening, come back in a few minutes.</p>
      <button type="button" onClick={reset} className="rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-500">
        Try again
      </button>
    </div>
  );
}
