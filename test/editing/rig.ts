// A running pulsemap on a temporary entities.yaml, with an editor token, and a client for its API.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startService } from '../../src/main.ts';
import type { Service } from '../../src/main.ts';
import { silentLogger } from '../../src/log.ts';

export const EDITOR_TOKEN = 'editor-token-for-tests-0123';
export const ADMIN_TOKEN = 'admin-token-for-tests-456789';
export const AUTH = 'auth:\n  tokens:\n    - { name: deploy-bot, role: editor, token: "${EDITOR_TOKEN}" }\n'
  + '    - { name: ops, role: admin, token: "${ADMIN_TOKEN}" }\n';

export interface EditRig {
  readonly dir: string;
  readonly file: string;
  readonly service: Service;
  read(): string;
  write(text: string): void;
  call(method: string, url: string, options?: { body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; etag: string | null; body: any }>;
  close(): Promise<void>;
}

export async function startEditRig(text: string, env: NodeJS.ProcessEnv = {}): Promise<EditRig> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-edit-'));
  const file = path.join(dir, 'entities.yaml');
  writeFileSync(file, text);
  const service = await startService({
    config: file, port: 0, host: '127.0.0.1', data: path.join(dir, 'data'), store: null,
    logger: silentLogger(), env: { EDITOR_TOKEN, ADMIN_TOKEN, ...env },
  });
  return {
    dir, file, service,
    read: () => readFileSync(file, 'utf8'),
    write(next) {
      writeFileSync(`${file}.hand`, next);
      copyFileSync(`${file}.hand`, file);
    },
    async call(method, url, options = {}) {
      const headers: Record<string, string> = { authorization: `Bearer ${EDITOR_TOKEN}`, ...options.headers };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(service.url.replace('localhost', '127.0.0.1') + url, {
        method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      const raw = await res.text();
      return { status: res.status, etag: res.headers.get('etag'), body: raw === '' ? null : JSON.parse(raw) };
    },
    async close() {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
