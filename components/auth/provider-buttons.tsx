'use client';

import { LogIn } from 'lucide-react';
import type { RefObject } from 'react';

export type ProviderChoice = { id: string; name: string };

/**
 * "Continue with …" for each sign-in provider the site offers: plain forms posted to
 * /auth/oauth/start, which sends the browser on to the provider (so they work without JavaScript).
 * `mode`: sign in or create an account (`login`), link to this account (`connect`), or "Confirm
 * it's you" (`reauth`). `form`: the login form, whose "Keep me signed in" applies here too.
 */
export function ProviderButtons({
  providers,
  mode = 'login',
  next,
  form,
  label = (name) => `Continue with ${name}`,
}: {
  providers: ProviderChoice[];
  mode?: 'login' | 'connect' | 'reauth';
  next?: string;
  form?: RefObject<HTMLFormElement | null>;
  label?: (name: string) => string;
}) {
  if (providers.length === 0) return null;
  return (
    <div className="space-y-2">
      {providers.map((provider) => (
        <form
          key={provider.id}
          method="post"
          action="/auth/oauth/start"
          onSubmit={(event) => {
            const remember = (form?.current?.elements.namedItem('remember') as HTMLInputElement | null)?.checked ?? false;
            (event.currentTarget.elements.namedItem('remember') as HTMLInputElement).value = remember ? 'on' : '';
          }}
        >
          <input type="hidden" name="provider" value={provider.id} />
          <input type="hidden" name="mode" value={mode} />
          <input type="hidden" name="remember" value="" />
          {next && <input type="hidden" name="next" value={next} />}
          <button
            type="submit"
            className="inline-flex w-full items-center justify-center gap-2 rounded-lg bg-white px-4 py-2.5 text-sm font-semibold text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
          >
            <LogIn aria-hidden size={16} />
            {label(provider.name)}
          </button>
        </form>
      ))}
    </div>
  );
}

/** The line between a form and the providers' buttons. */
export function OrDivider() {
  return (
    <div className="flex items-center gap-3 text-xs uppercase tracking-wide text-slate-500" aria-hidden>
      <span className="h-px flex-1 bg-slate-200" />
      or
      <span className="h-px flex-1 bg-slate-200" />
    </div>
  );
}
