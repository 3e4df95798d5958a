// Notify settings (channels, notify.default/degraded/config_errors/reminder, group routes)
// changed through the file. Secrets stay references: answers show `${VAR}` as written and hide
// any value that is a secret itself; a new secret must be written as a `${VAR}` reference, so
// pulsemap never writes a token, password or hook URL into entities.yaml.
import { channelType, CHANNEL_NAMES } from '../alerts/channel-registry.ts';
import type { ConfigProblem } from '../config/errors.ts';
import type { Config } from '../types.ts';
import { EditRefused, isPlainMap, parseForEdit } from './entity-edit.ts';
import type { Fields } from './entity-edit.ts';
import { hideSecrets, holdsSecret, keepHidden, mapStrings, valueAtPath } from './hidden.ts';
import { setAt, writtenAt } from './section-edit.ts';
import type { Plan } from './service.ts';

/** Keys of `notify:` that are settings, not channels. */
export const NOTIFY_SETTINGS = ['default', 'degraded', 'config_errors', 'reminder'] as const;
export type NotifySetting = (typeof NOTIFY_SETTINGS)[number];
const isSetting = (key: string): key is NotifySetting => (NOTIFY_SETTINGS as readonly string[]).includes(key);

export interface NotifyView {
  /** Channels by name, as written; a value that is itself a secret shows as `<hidden>`. */
  readonly channels: Record<string, Fields>;
  readonly settings: Partial<Record<NotifySetting, unknown>>;
  /** Group path -> its channels (`groups: { PATH: { notify } }`). */
  readonly groups: Record<string, unknown>;
  readonly types: readonly string[];
}

/** `secrets`: values that must not be shown (Editor.secretsIn). */
export function readNotify(text: string, secrets: readonly string[]): NotifyView {
  const doc = parseForEdit(text);
  const notify = writtenAt(doc, ['notify']);
  const channels: Record<string, Fields> = {};
  const settings: Partial<Record<NotifySetting, unknown>> = {};
  for (const [key, value] of Object.entries(isPlainMap(notify) ? notify : {})) {
    if (isSetting(key)) settings[key] = value;
    else channels[key] = hideSecrets(value as Fields, secrets);
  }
  const groups: Record<string, unknown> = {};
  const written = writtenAt(doc, ['groups']);
  for (const [path, group] of Object.entries(isPlainMap(written) ? written : {})) {
    if (isPlainMap(group) && group.notify !== undefined) groups[path] = group.notify;
  }
  return { channels, settings, groups, types: CHANNEL_NAMES };
}

export function putChannel(name: string, fields: Fields): { plan: (text: string) => Plan; check: (config: Config) => ConfigProblem[] } {
  if (isSetting(name)) throw new EditRefused(`'${name}' is a notify setting, not a channel name`, 400);
  let before: unknown;
  let next: Fields = fields;
  return {
    plan(text) {
      before = writtenAt(parseForEdit(text), ['notify', name]);
      next = keepHidden(fields, before, `/notify/${name}`) as Fields;
      return { text: setAt(text, ['notify', name], next), name, action: before === undefined ? 'create' : 'replace' };
    },
    // Whatever the request changed must not hold one of the channel's secrets as plain text.
    check(config) {
      const channel = config.notify.channels.find((c) => c.name === name);
      if (!channel) return [];
      const secrets = channelType(channel.type).secrets(channel.config as never);
      const problems: ConfigProblem[] = [];
      mapStrings(next, (s, path) => {
        const old = valueAtPath(before, path);
        if (s !== old && holdsSecret(s, secrets)) {
          const pointer = `/notify/${name}/${path.join('/')}`;
          problems.push({ file: 'entities.yaml', line: 0, col: 0, pointer, message: `${pointer} is a secret: write it as a \${VAR} reference and set VAR in pulsemap's environment, not the value itself` });
        }
        return s;
      });
      return problems;
    },
  };
}

export function deleteChannel(name: string): (text: string) => Plan {
  return (text) => {
    if (isSetting(name) || writtenAt(parseForEdit(text), ['notify', name]) === undefined) throw new EditRefused(`no channel named '${name}'`, 404);
    return { text: setAt(text, ['notify', name], undefined), name, action: 'delete' };
  };
}

/** A merge patch of the settings: a value sets, null removes (back to the default). */
export function patchSettings(patch: Fields): (text: string) => Plan {
  const unknown = Object.keys(patch).filter((k) => !isSetting(k));
  if (unknown.length > 0) throw new EditRefused(`not a notify setting: ${unknown.join(', ')} (settings: ${NOTIFY_SETTINGS.join(', ')}; channels have their own calls)`, 400);
  return (text) => {
    let out = text;
    for (const [key, value] of Object.entries(patch)) out = setAt(out, ['notify', key], value === null ? undefined : value);
    return { text: out, name: 'settings', action: 'update' };
  };
}

/** Channels for a group's entities that name none; null removes the group's own routes. */
export function setGroupRoutes(path: string, channels: readonly string[] | null): (text: string) => Plan {
  return (text) => {
    const group = writtenAt(parseForEdit(text), ['groups', path]);
    const onlyRoutes = isPlainMap(group) && Object.keys(group).every((k) => k === 'notify');
    const out = channels !== null ? setAt(text, ['groups', path, 'notify'], [...channels])
      : onlyRoutes ? setAt(text, ['groups', path], undefined) : setAt(text, ['groups', path, 'notify'], undefined);
    return { text: out, name: `group ${path}`, action: 'update' };
  };
}
