import type { ReactNode } from 'react';

/** A titled panel on the account pages. */
export function Section({ id, title, description, tone = 'normal', children }: {
  id: string;
  title: string;
  description?: ReactNode;
  tone?: 'normal' | 'danger';
  children: ReactNode;
}) {
  const border = tone === 'danger' ? 'border-red-200' : 'border-slate-200';
  return (
    <section aria-labelledby={`${id}-heading`} className={`rounded-2xl border ${border} bg-white p-6 shadow-sm sm:p-8`}>
      <h2 id={`${id}-heading`} className="text-lg font-semibold tracking-tight">
        {title}
      </h2>
      {description && <p className="mt-1 text-sm text-slate-600">{description}</p>}
      <div className="mt-5">{children}</div>
    </section>
  );
}
