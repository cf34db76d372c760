import fs from 'node:fs/promises';
import path from 'node:path';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { env } from '@/lib/env';
import { isProduction } from '@/lib/env-edge';

export async function generateMetadata(): Promise<Metadata> {
  if (isProduction()) notFound();
  return { title: 'Outbox (development)', robots: { index: false } };
}

type Message = { file: string; to: string; from: string; subject: string; text: string; sentAt: string };

async function readOutbox(): Promise<Message[]> {
  const dir = path.resolve(env().MAIL_OUTBOX_DIR);
  const files = await fs.readdir(dir).catch(() => [] as string[]);
  const messages = await Promise.all(
    files
      .filter((f) => f.endsWith('.json'))
      .map(async (file) => ({ file, ...(JSON.parse(await fs.readFile(path.join(dir, file), 'utf8')) as Omit<Message, 'file'>) })),
  );
  return messages.sort((a, b) => b.sentAt.localeCompare(a.sentAt)).slice(0, 50);
}

// Development only: the mail that would have been sent, when no RESEND_API_KEY is set.
export default async function OutboxPage() {
  if (isProduction()) notFound();
  const messages = await readOutbox();
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Outbox</h1>
      <p className="text-sm text-slate-600">
        Mail written to <code>{env().MAIL_OUTBOX_DIR}</code> instead of being sent (no <code>RESEND_API_KEY</code>). Newest first. Only in
        development.
      </p>
      {messages.length === 0 && <p className="text-slate-600">No mail yet.</p>}
      <ul className="space-y-3">
        {messages.map((m) => (
          <li key={m.file} className="rounded-xl border border-slate-200 bg-white p-4">
            <p className="font-medium">{m.subject}</p>
            <p className="text-sm text-slate-600">
              to {m.to} · {m.sentAt}
            </p>
            <pre className="mt-2 whitespace-pre-wrap text-sm text-slate-800">{m.text}</pre>
          </li>
        ))}
      </ul>
    </div>
  );
}
