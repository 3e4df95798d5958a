// Secrets of the running configuration, and a scrubber that removes them from any text that
// leaves the process: alert messages (a target may echo a credential), delivery errors (a
// library may put the bot token's URL into one), log lines and /health.
import type { Config } from '../types.ts';

/** Shorter values are not scrubbed: replacing every "ab" in a message would garble it. */
const MIN_SECRET = 4;

function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    const out = [u.password, decodeURIComponentSafe(u.password)];
    if (u.username && u.password) out.push(`${u.username}:${u.password}`);
    return out;
  } catch {
    return [];
  }
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Every secret value of the configuration: tokens, passwords, header values, URL credentials. */
export function collectSecrets(config: Config): string[] {
  const found: string[] = [];
  const { telegram, webhook, email } = config.notify;
  if (telegram) found.push(telegram.token);
  if (webhook) {
    // Hook URLs (Slack, Discord...) carry their credential in the path: the whole URL is secret.
    found.push(webhook.url, ...Object.values(webhook.headers), ...urlSecrets(webhook.url));
  }
  if (email?.password) found.push(email.password);
  if (config.api_token) found.push(config.api_token);
  for (const entity of config.entities) {
    if (entity.type === 'database') found.push(...urlSecrets(entity.url));
    if (entity.type === 'api') found.push(...Object.values(entity.headers), ...urlSecrets(entity.url));
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...new Set(found.filter((s) => s.length >= MIN_SECRET))].sort((a, b) => b.length - a.length);
}

export type Scrub = (text: string) => string;

export function createScrubber(secrets: readonly string[]): Scrub {
  return (text) => {
    let out = text;
    for (const secret of secrets) {
      if (out.includes(secret)) out = out.split(secret).join('***');
    }
    return out;
  };
}
