// The tests' generated values pass the app's own rules: a generated person registers, whatever
// the clock, the process or the random draw (a username once began with a digit in CI).
import { describe, expect, it } from 'vitest';
import { isCommonPassword } from '@/lib/auth/password-policy';
import { apiRegisterBody } from '@/lib/validation/api';
import { ageOn, MIN_AGE } from '@/lib/validation/fields';
import { dateOfBirth, newPerson, registration, username } from '../support/generators';

describe('generated test values', () => {
  it('make a registration the API accepts, with a password that is not common', () => {
    for (let i = 0; i < 500; i += 1) {
      const person = newPerson();
      expect(apiRegisterBody.safeParse(registration(person)).error?.issues).toBeUndefined();
      expect(isCommonPassword(person.password)).toBe(false);
    }
  });

  it('make usernames of exactly the length asked for, and never the same one twice', () => {
    expect(username(30)).toHaveLength(30);
    expect(apiRegisterBody.safeParse(registration(newPerson({ username: username(30) }))).success).toBe(true);
    const names = Array.from({ length: 1000 }, () => username().toLowerCase());
    expect(new Set(names).size).toBe(names.length);
  });

  it('make birthdays of exactly the age asked for', () => {
    expect(ageOn(dateOfBirth(MIN_AGE), new Date())).toBe(MIN_AGE);
    expect(ageOn(dateOfBirth(MIN_AGE - 1), new Date())).toBe(MIN_AGE - 1);
  });
});
