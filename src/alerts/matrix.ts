// Matrix through the client-server API: one room message per alert, with the HTML body Matrix
// clients render and the plain body the others show. The transaction id is derived from the
// message's key, so a retry after a lost answer is recognised by the homeserver, not posted twice.
import { createHash } from 'node:crypto';
import { urlIssue } from '../config/rules.ts';
import type { Alert, Channel } from './alert.ts';
import type { ChannelType } from './channel-type.ts';
import { htmlBlock, plainText } from './format.ts';
import { deliverHttp } from './http-delivery.ts';

export interface MatrixConfig {
  /** The homeserver's client-server API base, e.g. https://matrix.example.org. */
  readonly homeserver: string;
  /** `!opaque:example.org` (a room id, not an alias). */
  readonly room_id: string;
  readonly access_token: string;
}

/** The `m.room.message` event content. */
export function matrixContent(alert: Alert): Record<string, unknown> {
  return {
    msgtype: 'm.text',
    body: plainText(alert),
    format: 'org.matrix.custom.html',
    formatted_body: alert.items.map((i) => `<p>${htmlBlock(i).replace(/\n/g, '<br>')}</p>`).join(''),
  };
}

interface MatrixPayload {
  readonly txn: string;
  readonly content: Record<string, unknown>;
}

export function createMatrixChannel(config: MatrixConfig, timeoutMs = 10_000): Channel {
  return {
    name: 'matrix',
    oneFollowUp: true,
    envelopes: (alert) => {
      const key = `${alert.key}:matrix`;
      const txn = `pulsemap-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
      return [{ key, payload: JSON.stringify({ txn, content: matrixContent(alert) } satisfies MatrixPayload) }];
    },
    async send(payload, signal) {
      const { txn, content } = JSON.parse(payload) as MatrixPayload;
      const url = `${config.homeserver}/_matrix/client/v3/rooms/${encodeURIComponent(config.room_id)}/send/m.room.message/${txn}`;
      await deliverHttp({
        label: 'matrix', url, method: 'PUT', headers: { authorization: `Bearer ${config.access_token}` },
        body: JSON.stringify(content), signal, timeoutMs,
        // M_LIMIT_EXCEEDED carries `retry_after_ms`.
        retryAfterFromBody: (body) => {
          const ms = (body as { retry_after_ms?: unknown }).retry_after_ms;
          return typeof ms === 'number' ? ms : null;
        },
      });
    },
    close: async () => {},
  };
}

export const matrix: ChannelType<MatrixConfig> = {
  build: (raw) => ({
    homeserver: (raw.homeserver as string).replace(/\/+$/, ''),
    room_id: raw.room_id as string,
    access_token: raw.access_token as string,
  }),
  validate: (raw, at) => urlIssue(raw.homeserver, at('homeserver')),
  secrets: (config) => [config.access_token],
  create: (config, context) => createMatrixChannel(config, context.timeoutMs),
};
