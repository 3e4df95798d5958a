// Admin writes to entities.yaml beyond entities: login users (auth.users) and notify settings
// (channels, notify.default and friends, group routes). Same steps as entity edits: If-Match,
// validation as 422, atomic write, audit entry, hot reload. Admin role only.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { requireRole } from '../../auth/identity.ts';
import { hashPassword } from '../../auth/password.ts';
import { ROLES } from '../../auth/types.ts';
import type { Role } from '../../auth/types.ts';
import { EditRefused } from '../../editing/service.ts';
import type { ChangeResult, EditRequest, Editor } from '../../editing/service.ts';
import { addUser, deleteUser, listUsers, updateUser } from '../../editing/users.ts';
import { deleteChannel, patchSettings, putChannel, readNotify, setGroupRoutes } from '../../editing/notify.ts';
import type { Fields } from '../../editing/entity-edit.ts';
import { readBody } from '../body.ts';
import { HttpError } from '../errors.ts';
import { refusal, respond } from './config.ts';

/** As `pulsemap user add` asks. */
export const MIN_PASSWORD = 8;

export interface AdminRouteDeps {
  readonly editor: Editor;
}

function invalid(path: string, message: string): never {
  throw new HttpError(422, message, [{ path, message }]);
}

function role(value: unknown): Role | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(ROLES as readonly string[]).includes(value)) invalid('/role', `role must be one of ${ROLES.join(', ')}`);
  return value as Role;
}

async function passwordHash(value: unknown): Promise<string | undefined> {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length < MIN_PASSWORD) invalid('/password', `the password must have at least ${MIN_PASSWORD} characters`);
  return hashPassword(value);
}

function channelList(value: unknown): string[] | null {
  if (value === null) return null;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) invalid('/notify', 'notify must be a list of channel names, or null to remove the group\'s routes');
  return value as string[];
}

export function adminRoutes(router: Router, deps: AdminRouteDeps): void {
  const { editor } = deps;
  const admin = requireRole('admin');
  const edit = (ctx: Context, okStatus: number | ((r: ChangeResult) => number), request: Omit<EditRequest, 'ifMatch' | 'by' | 'dryRun'>) =>
    respond(ctx, 'admin', okStatus, (meta) => editor.edit({ ...request, ...meta }));
  // Plans are worked out from the request before the file is read; a refusal there is a 4xx too.
  const planned = <T>(make: () => T): T => {
    try {
      return make();
    } catch (err) {
      if (err instanceof EditRefused) throw refusal(err);
      throw err;
    }
  };

  router.get('/admin/users', admin, async (ctx) => {
    const { text, etag } = await editor.current();
    ctx.set('ETag', etag);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { users: planned(() => listUsers(text)), roles: ROLES, etag };
  });

  router.post('/admin/users', admin, async (ctx) => {
    const { data } = await readBody(ctx);
    if (typeof data.name !== 'string' || data.name === '') invalid('/name', 'send the new user\'s "name"');
    const r = role(data.role);
    if (r === undefined) invalid('/role', `send a "role": ${ROLES.join(', ')}`);
    if (data.password === undefined) invalid('/password', 'send a "password"');
    const hash = (await passwordHash(data.password))!;
    await edit(ctx, 201, { kind: 'user', plan: addUser(data.name, r, hash) });
  });

  router.patch('/admin/users/:name', admin, async (ctx) => {
    const { data } = await readBody(ctx);
    const extra = Object.keys(data).filter((k) => k !== 'role' && k !== 'password');
    if (extra.length > 0) invalid(`/${extra[0]}`, `a user's role and password can be changed; not ${extra.join(', ')}`);
    const change = { role: role(data.role), passwordHash: await passwordHash(data.password) };
    await edit(ctx, 200, { kind: 'user', plan: updateUser(ctx.params.name!, change) });
  });

  router.delete('/admin/users/:name', admin, async (ctx) => {
    await edit(ctx, 204, { kind: 'user', plan: deleteUser(ctx.params.name!) });
  });

  router.get('/admin/notify', admin, async (ctx) => {
    const { text, etag } = await editor.current();
    ctx.set('ETag', etag);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { ...planned(() => readNotify(text, editor.secretsIn(text))), etag };
  });

  router.put('/admin/notify/channels/:name', admin, async (ctx) => {
    const { data } = await readBody(ctx);
    const change = planned(() => putChannel(ctx.params.name!, data as Fields));
    await edit(ctx, (r) => (r.action === 'create' ? 201 : 200), { kind: 'notify', plan: change.plan, check: change.check });
  });

  router.delete('/admin/notify/channels/:name', admin, async (ctx) => {
    await edit(ctx, 204, { kind: 'notify', plan: deleteChannel(ctx.params.name!) });
  });

  router.patch('/admin/notify/settings', admin, async (ctx) => {
    const { data } = await readBody(ctx);
    await edit(ctx, 200, { kind: 'notify', plan: planned(() => patchSettings(data as Fields)) });
  });

  router.put('/admin/notify/groups/*path', admin, async (ctx) => {
    const { data } = await readBody(ctx);
    await edit(ctx, 200, { kind: 'notify', plan: setGroupRoutes(String(ctx.params.path), channelList(data.notify)) });
  });
}
