// Who is logged in, shown in the header with a log-out button; the CSRF token page writes send.
import { el } from './util.js';

/** `{ name, role, via, csrf, login, writes }` from GET session. */
export async function loadSession() {
  const res = await fetch('session', { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`session: HTTP ${res.status}`);
  return res.json();
}

/** Fetch for writes: JSON in and out, with the CSRF token and If-Match when given. */
export function writer(session) {
  return async (method, url, { body, etag } = {}) => {
    const headers = { accept: 'application/json' };
    if (session.csrf) headers['x-csrf-token'] = session.csrf;
    if (etag) headers['if-match'] = etag;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const data = res.status === 204 ? null : await res.json().catch(() => null);
    return { status: res.status, ok: res.ok, data, etag: res.headers.get('etag') };
  };
}

export function showAccount(tools, session) {
  if (!session.login || session.name === null) return;
  const logout = el('button', { type: 'button', class: 'button', id: 'logout', text: 'Log out', on: { click: async () => {
    await writer(session)('POST', 'logout');
    location.href = 'login.html';
  } } });
  tools.prepend(el('span', { class: 'account', id: 'account' }, [
    el('span', { text: session.name }), el('span', { class: 'muted', text: ` (${session.role})` }),
  ]), logout);
}
