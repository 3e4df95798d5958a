// Changes to entities through the file: read it, check If-Match, work out the new text, validate
// it exactly as `pulsemap validate` would, write it atomically, record it, and have the running
// monitor pick it up through the hot-reload path. One change at a time.
import { createTwoFilesPatch } from 'diff';
import { parseConfig } from '../config/load.ts';
import { ConfigError } from '../config/errors.ts';
import type { ConfigProblem } from '../config/errors.ts';
import type { AuditEntry, AuditKind, AuditLog } from './audit.ts';
import type { Config } from '../types.ts';
import { addEntity, deleteEntity, EditRefused, entityFields, notEditable, parseForEdit, renameEntity, replaceEntity } from './entity-edit.ts';
import type { Fields } from './entity-edit.ts';
import { etagOf, matches, readConfigText, writeAtomically } from './file.ts';
import { redactSecrets } from './redact.ts';
import { hideSecrets, keepHidden } from './hidden.ts';
import { collectSecrets } from '../config/secrets.ts';
import { scrub } from '../secrets.ts';

export { EditRefused } from './entity-edit.ts';

/** The new file would not pass validation: the problems, as `pulsemap validate` reports them. */
export class ValidationFailed extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super('the change would make entities.yaml invalid');
    this.problems = problems;
  }
}

export interface ChangeRequest {
  readonly action: 'create' | 'replace' | 'update' | 'delete';
  /** The entity: the new one's name for `create`. */
  readonly name: string;
  /** All fields (create, replace) or a JSON merge patch (update); `name` in them renames. */
  readonly fields?: Fields;
  readonly ifMatch: string | null;
  readonly by: string;
  /** Work out and validate the change, but do not write it. */
  readonly dryRun?: boolean;
}

export interface ChangeResult {
  /** The entity's name after the change. */
  readonly name: string;
  readonly action: AuditEntry['action'];
  readonly changed: boolean;
  /** ETag of the file after the change (before it, on a dry run). */
  readonly etag: string;
  readonly diff: string;
}

export interface EditorOptions {
  readonly file: string;
  readonly env: NodeJS.ProcessEnv;
  /** Applies the file as it is now (the watcher's reload). */
  readonly reload: () => Promise<void>;
  readonly audit: AuditLog;
  readonly now?: () => number;
  /** Secrets of the running configuration (kept hidden even while the file does not load). */
  readonly secrets?: () => readonly string[];
}

/** A planned change: the new text, the name of what it changed, and the audit action. */
export interface Plan {
  readonly text: string;
  readonly name: string;
  readonly action: AuditEntry['action'];
}

/** Any change to the file (entities, users, notify settings) goes through the same steps. */
export interface EditRequest {
  readonly kind: AuditKind;
  /** Works out the new text from the current one; throws EditRefused when it cannot. */
  readonly plan: (text: string) => Plan;
  /** Rules for this kind of change beyond what `pulsemap validate` checks, on the new file. */
  readonly check?: (config: Config, text: string) => ConfigProblem[];
  readonly ifMatch: string | null;
  readonly by: string;
  readonly dryRun?: boolean;
}

export interface Editor {
  /** The file as written (password hashes and secrets written as plain text hidden) and its ETag. */
  config(): Promise<{ text: string; etag: string }>;
  /** The file exactly as written, for server-side readers that hide secrets themselves. */
  current(): Promise<{ text: string; etag: string }>;
  /** Values `text` holds that must not be shown: its own secrets and the running configuration's. */
  secretsIn(text: string): string[];
  /** One entity's fields as written (`${VAR}` kept, secrets written as plain text `<hidden>`), or null. */
  entity(name: string): Promise<{ name: string; fields: Fields; editable: boolean; reason: string | null; etag: string } | null>;
  change(request: ChangeRequest): Promise<ChangeResult>;
  edit(request: EditRequest): Promise<ChangeResult>;
}

/** RFC 7396: objects merge key by key, null removes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Fields = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Fields) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

export function unifiedDiff(before: string, after: string): string {
  const patch = createTwoFilesPatch('entities.yaml', 'entities.yaml', before, after, '', '', { context: 3 });
  const start = patch.indexOf('@@');
  return start === -1 ? '' : patch.slice(start);
}

function withoutName(fields: Fields | undefined): { fields: Fields; rename: string | null } {
  const { name, ...rest } = fields ?? {};
  return { fields: rest, rename: typeof name === 'string' ? name : null };
}

function plan(text: string, request: ChangeRequest): Plan {
  const { fields: sent, rename } = withoutName(request.fields);
  // `<hidden>` (a secret shown hidden) keeps what is written there; a new entity has nothing to keep.
  const written = request.action === 'create' ? undefined : entityFields(parseForEdit(text), request.name) ?? undefined;
  const fields = keepHidden(sent, written, `/entities/${request.name}`);
  const renamed = (t: string) => (rename !== null && rename !== request.name ? renameEntity(t, request.name, rename) : t);
  const to = rename ?? request.name;
  switch (request.action) {
    case 'create':
      return { text: addEntity(text, request.name, fields), name: request.name, action: 'create' };
    case 'delete':
      return { text: deleteEntity(text, request.name), name: request.name, action: 'delete' };
    case 'replace':
      return { text: renamed(replaceEntity(text, request.name, fields)), name: to, action: rename && rename !== request.name ? 'rename' : 'replace' };
    case 'update': {
      const current = entityFields(parseForEdit(text), request.name);
      if (current === null) throw new EditRefused(`no entity named '${request.name}'`, 404);
      const next = keepHidden(mergePatch(current, sent) as Fields, current, `/entities/${request.name}`);
      const onlyRename = Object.keys(fields).length === 0;
      return { text: renamed(replaceEntity(text, request.name, next)), name: to, action: onlyRename && rename ? 'rename' : 'update' };
    }
  }
}

export function createEditor(options: EditorOptions): Editor {
  const now = options.now ?? Date.now;
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => {});
    return run;
  };

  // The file's plain-text secrets, kept for the last text read: a page load asks for the
  // configuration and its entities one after another, and an edit reads the same text again.
  let lastSecrets: { text: string; secrets: readonly string[] } | null = null;
  function secretsOfText(text: string): readonly string[] {
    if (lastSecrets?.text !== text) {
      const parsed = parseConfig(text, options.file, options.env);
      lastSecrets = { text, secrets: 'config' in parsed ? collectSecrets(parsed.config) : [] };
    }
    return lastSecrets.secrets;
  }
  /** Secrets the file holds as plain text (a password written into a URL...), to keep out of answers. */
  function writtenSecrets(...texts: string[]): string[] {
    return [...options.secrets?.() ?? [], ...texts.flatMap(secretsOfText)];
  }
  async function readText(): Promise<string> {
    try {
      return await readConfigText(options.file, options.env);
    } catch (err) {
      if (err instanceof ConfigError) throw new EditRefused(`entities.yaml cannot be edited: ${err.problems[0]?.message ?? err.message}`);
      throw err;
    }
  }
  const hide = (text: string, secrets: readonly string[]) => scrub(redactSecrets(text), secrets);

  async function edit(request: EditRequest): Promise<ChangeResult> {
    const text = await readText();
    const etag = etagOf(text);
    if (request.ifMatch !== null && !matches(request.ifMatch, etag)) {
      throw new EditRefused('entities.yaml changed since you read it (an edit by hand or by someone else); reload and try again', 412);
    }
    const planned = request.plan(text);
    const diff = unifiedDiff(text, planned.text);
    if (planned.text === text) return { name: planned.name, action: planned.action, changed: false, etag, diff };
    const parsed = parseConfig(planned.text, options.file, options.env);
    if ('errors' in parsed) throw new ValidationFailed(parsed.errors);
    const problems = request.check?.(parsed.config, planned.text) ?? [];
    if (problems.length > 0) throw new ValidationFailed(problems);
    const shown = hide(diff, [...collectSecrets(parsed.config), ...writtenSecrets(text)]);
    if (request.dryRun) return { name: planned.name, action: planned.action, changed: true, etag, diff: shown };
    // The file may have been edited by hand while this change was worked out.
    if (await readText() !== text) throw new EditRefused('entities.yaml changed while saving; reload and try again', 412);
    try {
      await writeAtomically(options.file, planned.text);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') throw err;
      throw new EditRefused(`cannot write entities.yaml (${code}): editing needs write access to the file and its directory; a read-only mount keeps it read-only`);
    }
    await options.audit.record({
      at: new Date(now()).toISOString(), by: request.by, action: planned.action, entity: planned.name, diff: shown,
      ...(request.kind === 'entity' ? {} : { kind: request.kind }),
    });
    await options.reload();
    return { name: planned.name, action: planned.action, changed: true, etag: etagOf(planned.text), diff: shown };
  }

  return {
    async config() {
      const text = await readText();
      return { text: hide(text, writtenSecrets(text)), etag: etagOf(text) };
    },
    async current() {
      const text = await readText();
      return { text, etag: etagOf(text) };
    },
    secretsIn: (text) => writtenSecrets(text),
    async entity(name) {
      const text = await readText();
      const doc = parseForEdit(text);
      const fields = entityFields(doc, name);
      if (fields === null) return null;
      const reason = notEditable(doc, name);
      return { name, fields: hideSecrets(fields, writtenSecrets(text)), editable: reason === null, reason, etag: etagOf(text) };
    },
    change: (request) => serially(() => edit({ ...request, kind: 'entity', plan: (text) => plan(text, request) })),
    edit: (request) => serially(() => edit(request)),
  };
}
