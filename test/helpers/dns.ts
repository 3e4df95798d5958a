// A small DNS server on a loopback UDP port for the dns check's tests: answers from a zone
// (A, AAAA, CNAME, MX, TXT, NS), NXDOMAIN for names it does not know, and silence for names it
// is told to ignore. Only the few parts of the wire format (RFC 1035) that the tests need.
import { createSocket } from 'node:dgram';
import type { RemoteInfo } from 'node:dgram';

export interface ZoneEntry {
  readonly A?: readonly string[];
  readonly AAAA?: readonly string[];
  readonly CNAME?: readonly string[];
  readonly MX?: readonly (readonly [priority: number, exchange: string])[];
  readonly TXT?: readonly string[];
  readonly NS?: readonly string[];
}

export interface DnsServer {
  readonly port: number;
  /** Queries received, as `name TYPE`. */
  readonly queries: string[];
  close(): Promise<void>;
}

const TYPES: Readonly<Record<number, keyof ZoneEntry>> = { 1: 'A', 2: 'NS', 5: 'CNAME', 15: 'MX', 16: 'TXT', 28: 'AAAA' };

function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l !== '');
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])), Buffer.from([0])]);
}

function decodeName(message: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let at = offset;
  while (message[at]! !== 0) {
    const length = message[at]!;
    labels.push(message.toString('ascii', at + 1, at + 1 + length));
    at += 1 + length;
  }
  return { name: labels.join('.'), end: at + 1 };
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return Buffer.from(groups.flatMap((g) => { const n = parseInt(g, 16); return [n >> 8, n & 0xff]; }));
}

function rdata(type: keyof ZoneEntry, value: string | readonly [number, string]): Buffer {
  switch (type) {
    case 'A': return Buffer.from((value as string).split('.').map(Number));
    case 'AAAA': return ipv6Bytes(value as string);
    case 'CNAME': case 'NS': return encodeName(value as string);
    case 'MX': { const [priority, exchange] = value as readonly [number, string]; const p = Buffer.alloc(2); p.writeUInt16BE(priority); return Buffer.concat([p, encodeName(exchange)]); }
    case 'TXT': { const text = Buffer.from(value as string, 'utf8'); return Buffer.concat([Buffer.from([text.length]), text]); }
  }
}

function answer(query: Buffer, zone: Readonly<Record<string, ZoneEntry>>): Buffer {
  const { name, end } = decodeName(query, 12);
  const qtype = query.readUInt16BE(end);
  const entry = zone[name.toLowerCase()];
  const type = TYPES[qtype];
  const values: readonly (string | readonly [number, string])[] = entry && type ? entry[type] ?? [] : [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  // QR, AA, RD (copied), RA; rcode 3 (NXDOMAIN) for an unknown name.
  header.writeUInt16BE(0x8480 | (query.readUInt16BE(2) & 0x0100) | (entry ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(values.length, 6);
  const records = values.map((value) => {
    const data = rdata(type!, value);
    const fixed = Buffer.alloc(12);
    fixed.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    fixed.writeUInt16BE(qtype, 2);
    fixed.writeUInt16BE(1, 4); // class IN
    fixed.writeUInt32BE(60, 6);
    fixed.writeUInt16BE(data.length, 10);
    return Buffer.concat([fixed, data]);
  });
  return Buffer.concat([header, query.subarray(12, end + 4), ...records]);
}

export async function startDnsServer(zone: Readonly<Record<string, ZoneEntry>>, silent: readonly string[] = []): Promise<DnsServer> {
  const socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (query: Buffer, from: RemoteInfo) => {
    const { name, end } = decodeName(query, 12);
    queries.push(`${name} ${TYPES[query.readUInt16BE(end)] ?? query.readUInt16BE(end)}`);
    if (silent.includes(name.toLowerCase())) return;
    socket.send(answer(query, zone), from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
