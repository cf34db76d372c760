// `npm run account -- reset-mfa <username>`: the operator's help for a person who lost their
// authenticator app, recovery codes and passkeys (docs/account.md, "When every factor is lost").
// Asks for the username again before it changes anything; `--yes` skips that for scripts.
import { createInterface } from 'node:readline/promises';
import { closeStore, migrateStore, store } from '@/lib/db/client';
import { findUserForLogin } from '@/lib/db/queries/users';
import { resetSignInMethods } from '@/lib/account/operator';

const USAGE = 'Usage: npm run account -- reset-mfa <username or email> [--yes]';

async function main(args: string[]): Promise<number> {
  const [command, username, ...rest] = args.filter((a) => a !== '--yes');
  if (command !== 'reset-mfa' || !username || rest.length > 0) {
    console.error(USAGE);
    return 2;
  }
  await migrateStore(store());
  const user = await findUserForLogin(username);
  if (!user) {
    console.error(`No account has the username or address “${username}”.`);
    return 1;
  }
  console.log(`${user.username} <${user.email}>: two-step verification ${user.twoStep ? 'on' : 'off'}.`);
  console.log('This removes two-step verification and every passkey, signs out every session, and mails the person.');
  if (!args.includes('--yes')) {
    const prompt = createInterface({ input: process.stdin, output: process.stdout });
    const typed = (await prompt.question(`Type the username (${user.username}) to go ahead: `)).trim();
    prompt.close();
    if (typed.toLowerCase() !== user.username.toLowerCase()) {
      console.error('Nothing was changed.');
      return 1;
    }
  }
  const done = await resetSignInMethods(user);
  console.log(
    `Done: two-step verification ${done.twoStep ? 'removed' : 'was already off'}, ${done.passkeys} passkey(s) removed, ${done.identities} connected account(s) removed, ${done.sessions} session(s) signed out, ` +
      (done.mailed ? `notice mailed to ${user.email}.` : `but the notice to ${user.email} could not be sent.`),
  );
  return 0;
}

main(process.argv.slice(2))
  .then(async (code) => {
    await closeStore();
    process.exit(code);
  })
  .catch((error: unknown) => {
    console.error(`Failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
