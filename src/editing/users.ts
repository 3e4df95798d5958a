// Login users (auth.users) changed through the file. Passwords arrive in plain text only to be
// hashed by the caller: what is written, diffed and audited is the scrypt hash (hidden in every
// answer). The last admin can neither be removed nor demoted, so the page keeps an administrator.
import type { Role } from '../auth/types.ts';
import { EditRefused, parseForEdit } from './entity-edit.ts';
import type { Fields } from './entity-edit.ts';
import { appendItem, itemIndex, removeItem, updateItem, writtenAt } from './section-edit.ts';
import type { Plan } from './service.ts';

const USERS = ['auth', 'users'] as const;

export interface UserView {
  readonly name: string;
  readonly role: string;
}

function written(text: string): Fields[] {
  const users = writtenAt(parseForEdit(text), USERS);
  return Array.isArray(users) ? users.filter((u): u is Fields => typeof u === 'object' && u !== null) : [];
}

/** Names and roles as written; never the hashes. */
export function listUsers(text: string): UserView[] {
  return written(text).map((u) => ({ name: String(u.name), role: String(u.role) }));
}

function find(text: string, name: string): { index: number; user: Fields; admins: number } {
  const users = written(text);
  const index = itemIndex(parseForEdit(text), USERS, 'name', name);
  if (index === -1) throw new EditRefused(`no user named '${name}'`, 404);
  return { index, user: users[index]!, admins: users.filter((u) => u.role === 'admin').length };
}

const LAST_ADMIN = (name: string) => `'${name}' is the last admin: make another user admin first, so someone can still manage users`;

export function addUser(name: string, role: Role, passwordHash: string): (text: string) => Plan {
  return (text) => {
    if (written(text).some((u) => u.name === name)) throw new EditRefused(`a user named '${name}' already exists`);
    return { text: appendItem(text, USERS, { name, role, password_hash: passwordHash }), name, action: 'create' };
  };
}

/** A new role and/or a new password hash. */
export function updateUser(name: string, change: { role?: Role; passwordHash?: string }): (text: string) => Plan {
  return (text) => {
    const { index, user, admins } = find(text, name);
    if (user.role === 'admin' && change.role !== undefined && change.role !== 'admin' && admins === 1) throw new EditRefused(LAST_ADMIN(name));
    const next: Fields = { ...user };
    if (change.role !== undefined) next.role = change.role;
    if (change.passwordHash !== undefined) next.password_hash = change.passwordHash;
    return { text: updateItem(text, USERS, index, next), name, action: 'update' };
  };
}

export function deleteUser(name: string): (text: string) => Plan {
  return (text) => {
    const { index, user, admins } = find(text, name);
    if (user.role === 'admin' && admins === 1) throw new EditRefused(LAST_ADMIN(name));
    return { text: removeItem(text, USERS, index), name, action: 'delete' };
  };
}
