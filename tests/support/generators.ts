// Test values that pass the app's own field rules by construction (lib/validation/fields.ts), one
// generator per field. A value a test means to be refused is written out in that test instead.
// (A CI run once failed on a username that began with a digit: a timestamp tag put first.)

export type Person = {
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  username: string;
  email: string;
  password: string;
};

let serial = 0;

/**
 * Letters and digits that no other value generated in this run shares, across the test
 * processes running side by side: the clock, the process, a counter and a random part.
 */
function uniqueTag(): string {
  serial += 1;
  const random = Math.floor(Math.random() * 36 ** 4).toString(36);
  return `${Date.now().toString(36)}${process.pid.toString(36)}${serial.toString(36)}${random}`;
}

/** 3–30 letters and digits, starting with a letter, unique in any case; `length` pads it out. */
export function username(length?: number): string {
  const name = `ada${uniqueTag()}`;
  if (name.length > (length ?? 30)) throw new Error(`a username is at most ${length ?? 30} characters: ${name}`);
  return name.padEnd(length ?? 0, 'w');
}

/** A unique address, already lower-case (as the app stores it). */
export const email = () => `ada.${uniqueTag()}@example.com`;

/** 8–128 characters, never on the common list (it is unique), never a username or an address (it has spaces). */
export const password = () => `analytical ${uniqueTag()} notes`;

/** Someone `age` whole years old today, whatever today is: born on the 1st of January. */
export const dateOfBirth = (age: number) => `${new Date().getFullYear() - age}-01-01`;

/** A client address of its own, for the per-client limits (the test servers trust one proxy hop). */
const octet = () => Math.floor(Math.random() * 254) + 1;
export const clientAddress = () => `10.${octet()}.${octet()}.${octet()}`;

/** A person nobody has registered yet. The names and birthday are fixed: tests read them back as pages show them. */
export function newPerson(overrides: Partial<Person> = {}): Person {
  return {
    firstName: 'Ada',
    lastName: 'Lovelace',
    dateOfBirth: '1990-04-07',
    username: username(),
    email: email(),
    password: password(),
    ...overrides,
  };
}

/** What the API's register endpoint takes for this person (no confirmation field). */
export function registration({ firstName, lastName, dateOfBirth, username, email, password }: Person) {
  return { firstName, lastName, dateOfBirth, username, email, password };
}
