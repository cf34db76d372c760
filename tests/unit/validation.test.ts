import { describe, expect, it } from 'vitest';
import { fieldErrors, loginSchema, registerSchema } from '@/lib/validation/auth';
import { ageOn, isoDate } from '@/lib/validation/fields';

const valid = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  dateOfBirth: '1990-04-07',
  username: 'AdaL',
  email: '  Ada@Example.COM ',
  password: 'correct horse battery',
  confirmPassword: 'correct horse battery',
};

function errorsFor(input: Record<string, unknown>) {
  const result = registerSchema.safeParse(input);
  return result.success ? {} : fieldErrors(result.error);
}

const yearsAgo = (years: number, dayShift = 0) => {
  const d = new Date();
  d.setFullYear(d.getFullYear() - years);
  d.setDate(d.getDate() + dayShift);
  return isoDate(d);
};

describe('registration rules', () => {
  it('accept a good registration and normalise it', () => {
    const result = registerSchema.parse(valid);
    expect(result.email).toBe('ada@example.com');
    expect(result.username).toBe('AdaL');
  });

  it.each([
    ['ab', 'at least 3'],
    ['a'.repeat(31), 'at most 30'],
    ['1abc', 'start with a letter'],
    ['ab_c', 'only letters and digits'],
    ['ab c', 'only letters and digits'],
    ["ab'; DROP TABLE users;--", 'only letters and digits'],
    ['аdmin', 'only letters and digits'], // Cyrillic а: a confusable, not ASCII
    ['', 'Choose a username'],
  ])('username %j is refused (%s)', (username, message) => {
    expect(errorsFor({ ...valid, username }).username).toContain(message);
  });

  it.each([
    ['not-an-email', 'Enter a valid email address, like name@example.com.'],
    ['a@b', 'Enter a valid email address, like name@example.com.'],
    ['@example.com', 'Enter a valid email address, like name@example.com.'],
    ['a@@example.com', 'Enter a valid email address, like name@example.com.'],
    [`${'a'.repeat(250)}@example.com`, 'Email must be at most 254 characters.'],
  ])('email %j is refused (%s)', (email, message) => {
    expect(errorsFor({ ...valid, email }).email).toBe(message);
  });

  it.each([
    ['1990-02-30', 'does not exist'],
    ['1990-13-01', 'does not exist'],
    ['2999-01-01', 'in the past'],
    ['07/04/1990', 'YYYY-MM-DD'],
    ['1800-01-01', 'real date of birth'],
  ])('date of birth %s is refused (%s)', (dateOfBirth, message) => {
    expect(errorsFor({ ...valid, dateOfBirth }).dateOfBirth).toContain(message);
  });

  it('needs an age of at least 13 on the day', () => {
    expect(errorsFor({ ...valid, dateOfBirth: yearsAgo(13) }).dateOfBirth).toBeUndefined();
    expect(errorsFor({ ...valid, dateOfBirth: yearsAgo(13, 1) }).dateOfBirth).toContain('at least 13');
    expect(ageOn('2000-02-29', new Date(2013, 1, 28))).toBe(12);
    expect(ageOn('2000-02-29', new Date(2013, 2, 1))).toBe(13);
  });

  it('trims names and refuses blank, long or control-character names', () => {
    expect(registerSchema.parse({ ...valid, firstName: '  Ada  ' }).firstName).toBe('Ada');
    expect(errorsFor({ ...valid, firstName: '   ' }).firstName).toContain('Enter your first name');
    expect(errorsFor({ ...valid, lastName: 'x'.repeat(51) }).lastName).toContain('at most 50');
    expect(errorsFor({ ...valid, lastName: 'Love\u0000lace' }).lastName).toContain("can't be used");
    expect(errorsFor({ ...valid, lastName: 'evil\u202Egnp.exe' }).lastName).toContain("can't be used");
    // Names are free text: HTML is just characters (React escapes it on output).
    expect(errorsFor({ ...valid, firstName: '<script>alert(1)</script>' }).firstName).toBeUndefined();
    expect(registerSchema.parse({ ...valid, firstName: 'Zoë', lastName: '李' }).lastName).toBe('李');
  });

  it('counts password length in characters, 8 to 128', () => {
    expect(errorsFor({ ...valid, password: 'abcdefg', confirmPassword: 'abcdefg' }).password).toContain('at least 8');
    const long = 'correct horse battery staple '.repeat(5).slice(0, 128);
    expect(errorsFor({ ...valid, password: long, confirmPassword: long }).password).toBeUndefined();
    const tooLong = `${long}x`;
    expect(errorsFor({ ...valid, password: tooLong, confirmPassword: tooLong }).password).toContain('at most 128');
    const emoji = '🔒'.repeat(8); // 8 characters, 16 UTF-16 units
    expect(errorsFor({ ...valid, password: emoji, confirmPassword: emoji }).password).toBeUndefined();
  });

  it('refuses a password equal to the username or email, and a confirmation that differs', () => {
    expect(errorsFor({ ...valid, username: 'adalovelace', password: 'AdaLovelace', confirmPassword: 'AdaLovelace' }).password).toContain(
      'not be your username',
    );
    expect(
      errorsFor({ ...valid, password: 'ada@example.com', confirmPassword: 'ada@example.com' }).password,
    ).toContain('not be your username or email');
    expect(errorsFor({ ...valid, confirmPassword: 'something else' }).confirmPassword).toBe('Passwords do not match.');
  });

  it('refuses wrong types without throwing', () => {
    for (const bad of [null, 42, ['a'], { a: 1 }, true]) {
      const errors = errorsFor({ ...valid, username: bad, email: bad, dateOfBirth: bad, firstName: bad });
      expect(Object.keys(errors)).toEqual(expect.arrayContaining(['username', 'email', 'dateOfBirth', 'firstName']));
    }
  });
});

describe('login rules', () => {
  it('read the remember box as a boolean', () => {
    expect(loginSchema.parse({ login: 'ada', password: 'x', remember: 'on' }).remember).toBe(true);
    expect(loginSchema.parse({ login: 'ada', password: 'x' }).remember).toBe(false);
    expect(loginSchema.parse({ login: 'ada', password: 'x', remember: 'surprise' }).remember).toBe(false);
  });

  it('need both fields, and cap the password length', () => {
    expect(loginSchema.safeParse({ login: ' ', password: 'x' }).success).toBe(false);
    expect(loginSchema.safeParse({ login: 'ada', password: '' }).success).toBe(false);
    expect(loginSchema.safeParse({ login: 'ada', password: 'x'.repeat(1025) }).success).toBe(false);
  });
});

describe('ill-formed text', () => {
  it('refuses half a surrogate pair in a name or a password, and keeps whole emoji', () => {
    expect(errorsFor({ ...valid, firstName: '\ud800' }).firstName).toBe("First name contains characters that can't be used.");
    expect(errorsFor({ ...valid, lastName: 'a\udc00b' }).lastName).toBe("Last name contains characters that can't be used.");
    const lone = 'long enough \ud83d';
    expect(errorsFor({ ...valid, password: lone, confirmPassword: lone }).password).toBe('Password contains characters that can’t be typed; choose another.');
    expect(registerSchema.parse({ ...valid, firstName: 'Ada 🙂' }).firstName).toBe('Ada 🙂');
  });
});
