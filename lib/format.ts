// How dates read on the pages. Times are shown in UTC and say so: the server doesn't know the
// reader's time zone, and a wrong local time is worse than an honest UTC one.
const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

export const formatDate = (date: Date) => dateFormat.format(date);
export const formatDateTime = (date: Date) => `${dateTimeFormat.format(date)} UTC`;

/** "1990-04-07" as a person reads it; a birthday is a calendar date with no time zone. */
export const formatBirthday = (isoDate: string) => dateFormat.format(new Date(`${isoDate}T00:00:00Z`));
