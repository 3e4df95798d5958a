// Which peer a request came from, and what a trusted reverse proxy says about the client.
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

function normalise(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

export function blockListOf(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split('/');
    const family = isIP(address!) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address!, family);
    else list.addSubnet(address!, Number(bits), family);
  }
  return list;
}

export function peerAddress(req: IncomingMessage): string {
  return normalise(req.socket.remoteAddress ?? '');
}

export function isFrom(req: IncomingMessage, list: BlockList): boolean {
  const peer = peerAddress(req);
  const family = isIP(peer);
  return family !== 0 && list.check(peer, family === 6 ? 'ipv6' : 'ipv4');
}

/** The client's address: the peer, or the last hop a trusted proxy added to X-Forwarded-For. */
export function clientAddress(req: IncomingMessage, proxies: BlockList): string {
  const forwarded = req.headers['x-forwarded-for'];
  if (typeof forwarded === 'string' && isFrom(req, proxies)) {
    const last = forwarded.split(',').map((s) => s.trim()).filter(Boolean).pop();
    if (last && isIP(normalise(last)) !== 0) return normalise(last);
  }
  return peerAddress(req);
}

/** HTTPS as the browser sees it: a TLS socket, or `X-Forwarded-Proto: https` from a trusted proxy. */
export function isHttps(req: IncomingMessage, proxies: BlockList): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  const proto = req.headers['x-forwarded-proto'];
  return typeof proto === 'string' && isFrom(req, proxies) && proto.split(',')[0]!.trim().toLowerCase() === 'https';
}
