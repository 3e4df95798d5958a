// Every secret of a configuration, as its check types and channels declare them, ready to scrub.
import { checkTypeOf } from '../checks/registry.ts';
import { channelType } from '../alerts/channel-registry.ts';
import { scrubbable } from '../secrets.ts';
import type { Config } from '../types.ts';
import { authSecrets } from '../auth/config.ts';

/** Tokens, passwords, header values, URL credentials: longest first, too short ones left out. */
export function collectSecrets(config: Config): string[] {
  const found: string[] = [];
  for (const c of config.notify.channels) found.push(...channelType(c.type).secrets(c.config));
  if (config.api_token) found.push(config.api_token);
  if (config.heartbeat.url) found.push(config.heartbeat.url);
  found.push(...authSecrets(config.auth));
  for (const entity of config.entities) found.push(...checkTypeOf(entity).secrets(entity));
  return scrubbable(found);
}
