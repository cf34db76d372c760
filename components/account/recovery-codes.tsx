'use client';

import { Check, Copy, Download } from 'lucide-react';
import { useState } from 'react';

/** Recovery codes, shown once: a list to write down, copy, or download as a text file. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const text = `Gatehouse recovery codes (each works once)\n\n${codes.join('\n')}\n`;
  const copy = async () => {
    await navigator.clipboard.writeText(text);
    setCopied(true);
  };
  return (
    <div className="space-y-4" id="recovery-codes">
      <p className="text-sm text-slate-700">
        <strong className="font-medium text-slate-900">Save these recovery codes now.</strong> Each one signs you in once if you lose your
        authenticator app. They won’t be shown again.
      </p>
      <ol className="grid grid-cols-1 gap-2 rounded-lg bg-slate-50 p-4 font-mono text-base text-slate-900 sm:grid-cols-2" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code} className="tracking-wide">
            {code}
          </li>
        ))}
      </ol>
      <div className="flex flex-wrap gap-3">
        <button type="button" onClick={copy} className="inline-flex items-center gap-2 rounded-lg px-3 py-2 text-sm font-medium ring-1 ring-slate-300 hover:bg-slate-50">
          {copied ? <Check aria-hidden size={16} /> : <Copy aria-hidden size={16} />}
          {copied ? 'Copied' : 'Copy'}
        </button>
        <a
          href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`}
          download="gatehouse-recovery-codes.txt"
          className="inline-flex items-center gap-2 rounded-lg px-3 py-2 text-sm font-medium ring-1 ring-slate-300 hover:bg-slate-50"
        >
          <Download aria-hidden size={16} />
          Download
        </a>
        <button type="button" onClick={onDone} className="rounded-lg bg-indigo-600 px-3 py-2 text-sm font-semibold text-white hover:bg-indigo-500">
          I saved them
        </button>
      </div>
    </div>
  );
}
