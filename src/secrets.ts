// Scrubbing secrets out of text that leaves the process: check messages (a target may echo a
// credential), delivery errors (a library may quote the bot token's URL), log lines, /health.
// Every place that hides a secret does it through this module. Which values are secret is said
// by each check type and channel (their `secrets`); src/config/secrets.ts collects them.

/** Shorter values are not scrubbed: replacing every "ab" or "1" in a message would garble it. */
export const MIN_SECRET = 4;

export type Scrub = (text: string) => string;

/** Replaces every secret (and its URL-encoded form) found in foreign text. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret === '') continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      if (out.includes(form)) out = out.split(form).join('***');
    }
  }
  // Credentials in any URL the text quotes, even ones we were not told about.
  return out.replace(/(\/\/[^/\s:@]*):[^/\s@]*@/g, '$1:***@');
}

/** Passwords hidden in a URL's userinfo, raw, decoded and as `user:password`, for scrubbing. */
export function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    if (u.password === '') return [];
    const out = [u.password, decodeSafe(u.password)];
    if (u.username !== '') out.push(`${u.username}:${u.password}`);
    return out;
  } catch {
    return [];
  }
}

/**
 * A hook URL (Slack, Discord) is its own credential: the whole URL, its path, and each long path
 * segment (the token part, which a service may quote alone in an error).
 */
export function hookSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    return [url, `${u.pathname}${u.search}`, ...u.pathname.split('/').filter((s) => s.length >= 12), ...urlSecrets(url)];
  } catch {
    return [url];
  }
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Values long enough to scrub, each once, longest first so a secret containing another goes whole. */
export function scrubbable(values: Iterable<string>): string[] {
  return [...new Set([...values].filter((s) => s.length >= MIN_SECRET))].sort((a, b) => b.length - a.length);
}

/** A scrubber bound to a list of secrets (see `scrubbable`). */
export function createScrubber(secrets: readonly string[]): Scrub {
  return (text) => scrub(text, secrets);
}
