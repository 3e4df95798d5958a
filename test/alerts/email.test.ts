// Email against a real SMTP server (smtp-server) on 127.0.0.1, directly and through the outbox.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { DeliveryError } from '../../src/alerts/alert.ts';
import type { Alert } from '../../src/alerts/alert.ts';
import { createEmailChannel } from '../../src/alerts/email.ts';
import { createOutbox } from '../../src/alerts/outbox.ts';
import type { EmailConfig } from '../../src/types.ts';
import { fakeClock } from '../helpers/clock.ts';
import { captureLogger, tempStore } from './helpers.ts';

const PASSWORD = 'smtp-Pa55word!';

interface Mail {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
}

interface Smtp {
  port: number;
  readonly mails: Mail[];
  /** Answers for the next DATA commands: an SMTP error code, or 'ok'. */
  readonly answers: (number | 'ok')[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

function smtp(): Smtp {
  let server: SMTPServer | null = null;
  const s: Smtp = {
    port: 0, mails: [], answers: [],
    async start() {
      server = new SMTPServer({
        disabledCommands: ['STARTTLS'],
        allowInsecureAuth: true,
        logger: false,
        onAuth(auth, _session, callback) {
          if (auth.username === 'pulsemap' && auth.password === PASSWORD) callback(null, { user: auth.username });
          else callback(new Error('Invalid username or password'));
        },
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const answer = s.answers.shift() ?? 'ok';
            if (answer !== 'ok') {
              callback(Object.assign(new Error('Mailbox busy, try later'), { responseCode: answer }));
              return;
            }
            s.mails.push({
              from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
              to: session.envelope.rcptTo.map((r) => r.address),
              raw: Buffer.concat(chunks).toString('utf8'),
            });
            callback();
          });
        },
      });
      await new Promise<void>((resolve) => server!.listen(s.port, '127.0.0.1', resolve));
      s.port = (server.server.address() as AddressInfo).port;
    },
    stop: () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
  };
  return s;
}

/** Decodes the quoted-printable body parts well enough to read them. */
function decoded(raw: string): string {
  const joined = raw.replace(/=\r?\n/g, '');
  return Buffer.from(joined.replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
}

const server = smtp();
before(() => server.start());
after(() => server.stop());

const config = (over: Partial<EmailConfig> = {}): EmailConfig => ({
  host: '127.0.0.1', port: server.port, secure: false, user: 'pulsemap', password: PASSWORD,
  from: 'pulsemap@example.com', to: ['ops@example.com', 'oncall@example.com'], ...over,
});

const alert: Alert = {
  key: 'db:down:1',
  items: [{
    event: 'down', entity: 'fold_db', status: 'error', message: 'connect ECONNREFUSED <10.0.0.5>', impacted: ['foldwrap_api'],
    at: Date.UTC(2026, 0, 1, 12, 5), since: Date.UTC(2026, 0, 1, 12, 0), days: null, url: null, key: 'db:down:1',
  }],
};

test('the message arrives with subject, plain text and HTML', async () => {
  server.mails.length = 0;
  const channel = createEmailChannel(config(), { title: 'Fold infrastructure' });
  const [envelope] = channel.envelopes(alert);
  assert.equal(envelope!.key, 'db:down:1:email');
  await channel.send(envelope!.payload, new AbortController().signal);
  await channel.close();
  assert.equal(server.mails.length, 1);
  const mail = server.mails[0]!;
  assert.equal(mail.from, 'pulsemap@example.com');
  assert.deepEqual(mail.to, ['ops@example.com', 'oncall@example.com']);
  assert.match(mail.raw, /^Subject: \[Fold infrastructure\] fold_db is down\r?$/m);
  assert.match(mail.raw, /Content-Type: text\/plain/);
  assert.match(mail.raw, /Content-Type: text\/html/);
  const body = decoded(mail.raw);
  assert.ok(body.includes('🔴 fold_db is down\r\nconnect ECONNREFUSED <10.0.0.5>\r\nImpacted: foldwrap_api'), body);
  assert.ok(body.includes('<b>fold_db</b> is down<br>'), body);
  assert.ok(body.includes('connect ECONNREFUSED &lt;10.0.0.5&gt;'), body);
  assert.ok(!mail.raw.includes(PASSWORD));
});

test('a rejected login fails without showing the password', async () => {
  const channel = createEmailChannel(config({ password: `${PASSWORD}-wrong` }), { title: 't' });
  await assert.rejects(channel.send(channel.envelopes(alert)[0]!.payload, new AbortController().signal), (err: unknown) =>
    err instanceof DeliveryError && /Invalid login|535/.test(err.message) && !err.message.includes(PASSWORD));
});

test('an SMTP server that rejects, then one that is down: retried, not lost, sent once', async () => {
  server.mails.length = 0;
  const clock = fakeClock();
  const temp = await tempStore();
  const { logger, lines } = captureLogger();
  const outbox = createOutbox({ store: temp.store, clock, logger });
  outbox.setChannels([createEmailChannel(config({ port: server.port }), { title: 't' })]);
  try {
    server.answers.push(451, 452);
    const [envelope] = createEmailChannel(config(), { title: 't' }).envelopes(alert);
    await outbox.add([{ channel: 'email', key: envelope!.key, payload: envelope!.payload, created_at: clock.now() }]);
    await outbox.idle();
    assert.equal(server.mails.length, 0);
    assert.match(outbox.lastError()!.error, /451/);
    await clock.advance(5000);
    await outbox.idle();
    assert.match(outbox.lastError()!.error, /452/);

    await server.stop();
    await clock.advance(10_000);
    await outbox.idle();
    assert.match(outbox.lastError()!.error, /ECONNREFUSED/);
    assert.equal(await outbox.depth(), 1);

    await server.start();
    await clock.advance(20_000);
    await outbox.idle();
    assert.equal(server.mails.length, 1);
    assert.equal(await outbox.depth(), 0);
    await clock.advance(3_600_000);
    await outbox.idle();
    assert.equal(server.mails.length, 1);
    assert.ok(lines.every((l) => !l.includes(PASSWORD)));
  } finally {
    await outbox.close();
    await temp.store.close();
    temp.remove();
  }
});
