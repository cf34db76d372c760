'use client';

import { ShieldCheck, ShieldOff } from 'lucide-react';
import { useEffect, useState } from 'react';
import {
  confirmTotpSetupAction,
  disableTwoStepAction,
  regenerateRecoveryCodesAction,
  startTotpSetupAction,
} from '@/app/account/two-step-actions';
import { RecoveryCodes } from '@/components/account/recovery-codes';
import { CodeField } from '@/components/forms/code-field';
import { FormStatus } from '@/components/forms/form-alert';
import { SecondFactorField } from '@/components/forms/second-factor-field';
import { SubmitButton } from '@/components/forms/submit-button';
import { useForm } from '@/components/forms/use-form';

export type TwoStepView = {
  on: boolean;
  recoveryCodesLeft: number;
  /** A setup waiting for its first code: the key, its URI and the URI as a QR code (SVG, made on the server). */
  pending: { key: string; uri: string; qrSvg: string } | null;
};

type Form = ReturnType<typeof useForm>;

/** Two-step verification on /account/security: its state, and what can be done from there. */
/** `hasPassword`: false for an account made through a sign-in provider that never set one. */
export function TwoStepPanel({ view, recent, hasPassword = true }: { view: TwoStepView; recent: boolean; hasPassword?: boolean }) {
  // The forms that answer with recovery codes keep their state here, above the branch below: the
  // answer re-renders the page as "on", which replaces the form that asked.
  const confirm = useForm(confirmTotpSetupAction);
  const regenerate = useForm(regenerateRecoveryCodesAction);
  const [codes, setCodes] = useState<string[] | null>(null);
  useEffect(() => {
    if (confirm.state.secrets) setCodes(confirm.state.secrets);
  }, [confirm.state.secrets]);
  useEffect(() => {
    if (regenerate.state.secrets) setCodes(regenerate.state.secrets);
  }, [regenerate.state.secrets]);
  return (
    <div className="space-y-5">
      <p className="flex items-center gap-2 text-sm" id="two-step-state">
        {view.on ? <ShieldCheck aria-hidden size={18} className="text-emerald-700" /> : <ShieldOff aria-hidden size={18} className="text-slate-500" />}
        <span>
          {view.on ? (
            <>
              <strong className="font-medium text-slate-900">On.</strong> Signing in takes your password and a code from your authenticator app.{' '}
              <span id="recovery-codes-left">
                {view.recoveryCodesLeft === 1 ? '1 recovery code left.' : `${view.recoveryCodesLeft} recovery codes left.`}
              </span>
            </>
          ) : (
            <>
              <strong className="font-medium text-slate-900">Off.</strong> {hasPassword ? 'Your password alone signs you in.' : 'Signing in takes one step.'}
            </>
          )}
        </span>
      </p>
      {codes ? (
        <RecoveryCodes codes={codes} onDone={() => setCodes(null)} />
      ) : !recent ? (
        <p className="text-sm text-slate-600">Confirm it’s you (above) to change two-step verification.</p>
      ) : view.on ? (
        <div className="space-y-6">
          <RegenerateForm form={regenerate} />
          <DisableForm />
        </div>
      ) : view.pending ? (
        <SetupForm pending={view.pending} form={confirm} />
      ) : (
        <StartForm />
      )}
    </div>
  );
}

function StartForm() {
  const { state, formAction, ref } = useForm(startTotpSetupAction);
  return (
    <form ref={ref} action={formAction} className="space-y-4">
      <FormStatus id="two-step-status" state={state} />
      <p className="text-sm text-slate-600">
        Use an authenticator app such as Google Authenticator, Microsoft Authenticator, 1Password or Aegis. You will scan a QR code
        (or type a key) and enter the code the app shows.
      </p>
      <SubmitButton pendingLabel="Preparing…">Set up an authenticator app</SubmitButton>
    </form>
  );
}

function SetupForm({ pending, form }: { pending: NonNullable<TwoStepView['pending']>; form: Form }) {
  const { state, formAction, ref, errors } = form;
  return (
    <div className="space-y-5">
      <ol className="list-decimal space-y-4 pl-5 text-sm text-slate-700">
        <li>
          <p>Scan this QR code with your authenticator app.</p>
          <div
            className="mt-3 w-44 rounded-lg border border-slate-200 bg-white p-2 [&>svg]:h-auto [&>svg]:w-full"
            role="img"
            aria-label="QR code for your authenticator app"
            dangerouslySetInnerHTML={{ __html: pending.qrSvg }}
          />
          <p className="mt-3">Can’t scan it? Type this key into the app instead (time-based, 6 digits):</p>
          <p className="mt-1 font-mono text-base tracking-wide text-slate-900 wrap-anywhere" id="totp-key">
            {pending.key}
          </p>
          <details className="mt-2">
            <summary className="cursor-pointer text-indigo-700">Show the setup link</summary>
            <p className="mt-1 font-mono text-xs text-slate-700 wrap-anywhere" id="totp-uri">
              {pending.uri}
            </p>
          </details>
        </li>
        <li>
          <form ref={ref} action={formAction} noValidate className="space-y-4">
            <p>Enter the 6-digit code the app shows now.</p>
            <FormStatus id="two-step-status" state={state} />
            <CodeField id="setup-code" label="Code from your authenticator app" defaultValue={state.values?.code} error={errors.code} />
            <SubmitButton pendingLabel="Checking…">Turn on two-step verification</SubmitButton>
          </form>
        </li>
      </ol>
    </div>
  );
}

function RegenerateForm({ form }: { form: Form }) {
  const { state, formAction, ref } = form;
  return (
    <form ref={ref} action={formAction} className="space-y-3">
      <FormStatus id="regenerate-status" state={state.secrets ? undefined : state} />
      <p className="text-sm text-slate-600">Used some, or lost them? New codes replace all the old ones.</p>
      <SubmitButton pendingLabel="Making codes…" variant="subtle">
        Make new recovery codes
      </SubmitButton>
    </form>
  );
}

function DisableForm() {
  const { state, formAction, ref, errors } = useForm(disableTwoStepAction);
  return (
    <form ref={ref} action={formAction} noValidate className="space-y-3 border-t border-slate-100 pt-5" aria-label="Turn off two-step verification">
      <FormStatus id="disable-status" state={state} />
      <p className="text-sm text-slate-600">To turn it off, enter a current code from your app (or a recovery code).</p>
      <SecondFactorField id="disable-code" error={errors.code} />
      <SubmitButton pendingLabel="Turning off…" variant="danger">
        Turn off two-step verification
      </SubmitButton>
    </form>
  );
}
