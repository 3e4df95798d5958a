// Every secret of a configuration, as its check types and channels declare them, ready to scrub.
import { checkTypeOf } from '../checks/registry.ts';
import { channelType } from '../alerts/channel-registry.ts';
import { configuredChannels } from '../alerts/channels.ts';
import { scrubbable } from '../secrets.ts';
import type { Config } from '../types.ts';

/** Tokens, passwords, header values, URL credentials: longest first, too short ones left out. */
export function collectSecrets(config: Config): string[] {
  const found: string[] = [];
  for (const name of configuredChannels(config)) found.push(...channelType(name).secrets(config.notify[name]));
  if (config.api_token) found.push(config.api_token);
  for (const entity of config.entities) found.push(...checkTypeOf(entity).secrets(entity));
  return scrubbable(found);
}
