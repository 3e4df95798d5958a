// Alerts about the configuration file itself: a rejected hot reload, told once until it is
// fixed, and its fix. Pure, like the rest of the policy.
import type { Bookkeeping, Decision } from './policy.ts';

/** A rejected configuration: told once until it is fixed. */
export function configInvalid(book: Bookkeeping, lines: readonly string[], at: number): Decision {
  if (book.config_error !== null) return { items: [], bookkeeping: book };
  const message = lines.join('\n');
  return {
    items: [{
      event: 'config_invalid', entity: null, status: null, message, impacted: [], at, since: null, days: null,
      url: null, key: `config:invalid:${at}`,
    }],
    bookkeeping: { ...book, config_error: message },
  };
}

export function configFixed(book: Bookkeeping, at: number, entities: number): Decision {
  if (book.config_error === null) return { items: [], bookkeeping: book };
  return {
    items: [{
      event: 'config_fixed', entity: null, status: null, message: `${entities} entities loaded`, impacted: [], at,
      since: null, days: null, url: null, key: `config:fixed:${at}`,
    }],
    bookkeeping: { ...book, config_error: null },
  };
}
