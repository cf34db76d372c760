// Each component from its own package: the '@react-email/components' bundle also loads Prism,
// Tailwind and a Markdown parser, a quarter of a second of every server process's start-up.
import { Body } from '@react-email/body';
import { Container } from '@react-email/container';
import { Head } from '@react-email/head';
import { Heading } from '@react-email/heading';
import { Hr } from '@react-email/hr';
import { Html } from '@react-email/html';
import { Link } from '@react-email/link';
import { Preview } from '@react-email/preview';
import { Section } from '@react-email/section';
import { Text } from '@react-email/text';
import type { ReactNode } from 'react';

// Mail bodies, written once as React Email components and rendered to HTML and plain text.

const styles = {
  body: { backgroundColor: '#f8fafc', fontFamily: 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif' },
  container: { backgroundColor: '#ffffff', border: '1px solid #e2e8f0', borderRadius: '12px', margin: '32px auto', maxWidth: '480px', padding: '32px' },
  heading: { color: '#0f172a', fontSize: '22px', margin: '0 0 16px' },
  text: { color: '#334155', fontSize: '15px', lineHeight: '24px' },
  code: { backgroundColor: '#eef2ff', borderRadius: '8px', color: '#312e81', fontSize: '32px', fontWeight: 700, letterSpacing: '8px', padding: '12px 0', textAlign: 'center' as const },
  footer: { color: '#64748b', fontSize: '13px', lineHeight: '20px' },
  link: { color: '#4338ca', textDecoration: 'underline' },
};

/** A link to a page of the site, when its public URL (AUTH_URL) is known; never from a request's Host. */
function PageLink({ href, children }: { href: string | null; children: ReactNode }) {
  if (!href) return null;
  return (
    <Text style={styles.text}>
      <Link href={href} style={styles.link}>
        {children}
      </Link>
    </Text>
  );
}

function Layout({ preview, title, children }: { preview: string; title: string; children: ReactNode }) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{preview}</Preview>
      <Body style={styles.body}>
        <Container style={styles.container}>
          <Heading style={styles.heading}>{title}</Heading>
          {children}
          <Hr />
          <Text style={styles.footer}>Gatehouse · You get this mail because of activity on your account.</Text>
        </Container>
      </Body>
    </Html>
  );
}

export type Mail = { subject: string; html: string; text: string };

async function toMail(subject: string, element: ReactNode): Promise<Mail> {
  // Loaded with the first mail: it brings its own react-dom/server (0.07 s of CPU), which a
  // server process's start-up and code that never mails need not pay.
  const { render } = await import('@react-email/render');
  return { subject, html: await render(element), text: await render(element, { plainText: true }) };
}

const PURPOSES = {
  password_reset: {
    subject: 'Your Gatehouse password reset code',
    title: 'Reset your password',
    intro: 'Someone (hopefully you) asked to reset the password of your Gatehouse account. Enter this code on the reset page:',
    ignore: 'If you didn’t ask for this, ignore this mail: your password stays as it is.',
    link: 'Open the reset page',
  },
  email_change: {
    subject: 'Confirm your new Gatehouse email address',
    title: 'Confirm your new email address',
    intro: 'Enter this code on your profile page to make this address the one on your Gatehouse account:',
    ignore: 'If you didn’t ask for this, ignore this mail: nothing changes.',
    link: 'Open your profile',
  },
} as const;

/**
 * `pageUrl`: where the code is entered, linked under it when known. The code is in the body only:
 * subjects and previews show on lock screens and in notifications.
 */
export function codeMail(purpose: keyof typeof PURPOSES, code: string, minutes: number, pageUrl: string | null = null): Promise<Mail> {
  const p = PURPOSES[purpose];
  return toMail(
    p.subject,
    <Layout preview={p.title} title={p.title}>
      <Text style={styles.text}>{p.intro}</Text>
      <Section>
        <Text style={styles.code}>{code}</Text>
      </Section>
      <PageLink href={pageUrl}>{p.link}</PageLink>
      <Text style={styles.text}>
        It works once, for {minutes} minutes. {p.ignore}
      </Text>
    </Layout>,
  );
}

/**
 * The code that proves an address, and when the site's URL is known a link that does the same
 * (`linkUrl`, valid `linkHours`). Like every code, it is in the body only.
 */
export function verificationMail(code: string, minutes: number, linkUrl: string | null, linkHours: number, keptDays: number | null): Promise<Mail> {
  return toMail(
    'Verify your email address for Gatehouse',
    <Layout preview="Verify your email address" title="Verify your email address">
      <Text style={styles.text}>Enter this code on the verification page to confirm that this address is yours:</Text>
      <Section>
        <Text style={styles.code}>{code}</Text>
      </Section>
      <Text style={styles.text}>The code works once, for {minutes} minutes.</Text>
      {linkUrl && (
        <>
          <PageLink href={linkUrl}>Or verify with this link</PageLink>
          <Text style={styles.text}>The link works once, for {linkHours} hours.</Text>
        </>
      )}
      <Text style={styles.text}>
        If you didn’t create a Gatehouse account, ignore this mail: nobody can use this address on Gatehouse without the code.
        {keptDays !== null && ` An account that is never verified is deleted after ${keptDays} days.`}
      </Text>
    </Layout>,
  );
}

/**
 * To the owner of an address someone tried to sign up with. No code: the account exists, and the
 * sign-up page answered as if it didn't, so this mail is how the owner (or the person who forgot
 * they have an account) finds out.
 */
export function signupAttemptMail(loginUrl: string | null, resetUrl: string | null): Promise<Mail> {
  return toMail(
    'Someone tried to create a Gatehouse account with your address',
    <Layout preview="Someone tried to sign up with your address" title="You already have an account">
      <Text style={styles.text}>
        Someone just tried to create a new Gatehouse account with this address. This address already belongs to an account, so no
        new account was created and nothing about yours changed.
      </Text>
      <Text style={styles.text}>
        If it was you, log in to the account you have, or reset its password if you forgot it. If it wasn’t you, there is nothing to
        do.
      </Text>
      <PageLink href={loginUrl}>Log in</PageLink>
      <PageLink href={resetUrl}>Reset your password</PageLink>
    </Layout>,
  );
}

/** After a reset by code (`reset`) or a change while signed in (`changed`). `resetUrl` links the forgot-password page. */
export function passwordChangedMail(how: 'reset' | 'changed', resetUrl: string | null = null): Promise<Mail> {
  return toMail(
    'Your Gatehouse password was changed',
    <Layout preview="Your password was changed" title="Your password was changed">
      <Text style={styles.text}>
        {how === 'reset'
          ? 'The password of your Gatehouse account was just reset with a code sent to this address, and every session was signed out.'
          : 'The password of your Gatehouse account was just changed by someone signed in to it, and every other session was signed out.'}
      </Text>
      <Text style={styles.text}>
        {how === 'reset'
          ? 'If this wasn’t you, reset your password again right away: someone may have access to your email.'
          : 'If this wasn’t you, reset your password right away with a code sent to this address.'}
      </Text>
      <PageLink href={resetUrl}>Reset your password</PageLink>
    </Layout>,
  );
}

export function emailChangedMail(newEmail: string): Promise<Mail> {
  return toMail(
    'Your Gatehouse email address was changed',
    <Layout preview="Your email address was changed" title="Your email address was changed">
      <Text style={styles.text}>
        Your Gatehouse account now uses {newEmail}. Mail about the account, including password resets, goes there from now on.
      </Text>
      <Text style={styles.text}>If this wasn’t you, contact us: someone may have access to your account.</Text>
    </Layout>,
  );
}

/**
 * To an address someone tried to move another account to. No code: the address is taken, and its
 * owner should know someone tried.
 */
export function emailInUseMail(resetUrl: string | null = null): Promise<Mail> {
  return toMail(
    'Someone tried to use your address on Gatehouse',
    <Layout preview="Someone tried to use your address" title="Someone tried to use this address">
      <Text style={styles.text}>
        Someone signed in to another Gatehouse account asked to change that account’s email to this address. This address already
        belongs to your account, so nothing was changed.
      </Text>
      <Text style={styles.text}>
        If it was you, there is nothing to do: you already have an account with this address. Log in to it, or reset its password if you
        forgot it.
      </Text>
      <PageLink href={resetUrl}>Reset your password</PageLink>
    </Layout>,
  );
}

export function accountDeletedMail(): Promise<Mail> {
  return toMail(
    'Your Gatehouse account was deleted',
    <Layout preview="Your account was deleted" title="Your account was deleted">
      <Text style={styles.text}>
        Your Gatehouse account and everything stored with it were deleted at your request, and every session was signed out.
      </Text>
      <Text style={styles.text}>This address is free again: you can register with it whenever you like.</Text>
    </Layout>,
  );
}

const TWO_STEP_CHANGES = {
  enabled: {
    subject: 'Two-step verification is on for your Gatehouse account',
    text: 'Two-step verification was turned on for your Gatehouse account: signing in now takes your password and a code from your authenticator app (or a recovery code, or a passkey).',
  },
  disabled: {
    subject: 'Two-step verification was turned off for your Gatehouse account',
    text: 'Two-step verification was turned off for your Gatehouse account: your password alone signs in again.',
  },
  regenerated: {
    subject: 'New recovery codes for your Gatehouse account',
    text: 'New recovery codes were made for your Gatehouse account. The old ones no longer work.',
  },
  passkey_added: {
    subject: 'A passkey was added to your Gatehouse account',
    text: 'A passkey was added to your Gatehouse account: it signs in on its own, without your password.',
  },
  passkey_removed: {
    subject: 'A passkey was removed from your Gatehouse account',
    text: 'A passkey was removed from your Gatehouse account: it can’t sign in any more.',
  },
  reset_by_operator: {
    subject: 'Your Gatehouse sign-in methods were reset',
    text: 'At your request, the site’s operator removed two-step verification, every passkey and every connected account (GitHub, Google…) from your Gatehouse account, and signed out every session. Your password alone signs in now; without one, set it with “Forgot password?”.',
  },
} as const;

/** A change to how the account signs in, sent to its address whoever made it. */
export function twoStepChangedMail(change: keyof typeof TWO_STEP_CHANGES, securityUrl: string | null, resetUrl: string | null): Promise<Mail> {
  const { subject, text } = TWO_STEP_CHANGES[change];
  return signInChangeMail(subject, text, securityUrl, resetUrl);
}

/** A sign-in provider connected to the account or disconnected from it. */
export function providerChangedMail(change: 'connected' | 'disconnected', provider: string, securityUrl: string | null, resetUrl: string | null): Promise<Mail> {
  return change === 'connected'
    ? signInChangeMail(`${provider} was connected to your Gatehouse account`, `Your ${provider} account was connected to your Gatehouse account: it can sign in to it now.`, securityUrl, resetUrl)
    : signInChangeMail(`${provider} was disconnected from your Gatehouse account`, `Your ${provider} account was disconnected from your Gatehouse account: it can’t sign in to it any more.`, securityUrl, resetUrl);
}

function signInChangeMail(subject: string, text: string, securityUrl: string | null, resetUrl: string | null): Promise<Mail> {
  return toMail(
    subject,
    <Layout preview={subject} title={subject.replace(/ (for|to|from) your Gatehouse account$/, '').replace(/^Your Gatehouse/, 'Your')}>
      <Text style={styles.text}>{text}</Text>
      <Text style={styles.text}>If this wasn’t you, reset your password right away and check your security settings.</Text>
      <PageLink href={resetUrl}>Reset your password</PageLink>
      <PageLink href={securityUrl}>Open your security settings</PageLink>
    </Layout>,
  );
}

export function recoveryCodeUsedMail(left: number, securityUrl: string | null, resetUrl: string | null): Promise<Mail> {
  const remaining = left === 1 ? '1 recovery code is left' : `${left} recovery codes are left`;
  return toMail(
    'A recovery code was used on your Gatehouse account',
    <Layout preview="A recovery code was used" title="A recovery code was used">
      <Text style={styles.text}>
        Someone signed in to your Gatehouse account, or confirmed a change, with one of your recovery codes. It can’t be used again: {remaining}.
      </Text>
      <Text style={styles.text}>
        If you lost your authenticator app, set it up again and make new recovery codes. If this wasn’t you, reset your password right away.
      </Text>
      <PageLink href={securityUrl}>Open your security settings</PageLink>
      <PageLink href={resetUrl}>Reset your password</PageLink>
    </Layout>,
  );
}

export type SignInDetails = { when: string; ip: string | null; browser: string };

/** A sign-in from a browser this account had not used before (no device cookie for it). */
export function newDeviceMail(details: SignInDetails, securityUrl: string | null, resetUrl: string | null): Promise<Mail> {
  return toMail(
    'New sign-in to your Gatehouse account',
    <Layout preview="A new sign-in to your account" title="New sign-in to your account">
      <Text style={styles.text}>Your Gatehouse account was just signed in to from a browser it hadn’t been used from before:</Text>
      <Text style={styles.text}>
        When: {details.when}
        <br />
        IP address: {details.ip ?? 'unknown'}
        <br />
        Browser: {details.browser}
      </Text>
      <Text style={styles.text}>If this was you, there is nothing to do.</Text>
      <Text style={styles.text}>
        If it wasn’t, reset your password right away (that signs out every session), then check your security settings and turn on
        two-step verification.
      </Text>
      <PageLink href={resetUrl}>Reset your password</PageLink>
      <PageLink href={securityUrl}>Open your security settings</PageLink>
    </Layout>,
  );
}
