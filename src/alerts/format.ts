// Message text: pure functions from an alert to Telegram HTML, plain text, email and webhook
// documents. Every piece of user or target text is escaped here and nowhere else.
import type { Alert, AlertItem } from './alert.ts';

/** Telegram's limit on one message. */
export const TELEGRAM_MAX = 4096;
/** Longest entity message or configuration problem shown; targets can answer with anything. */
const MAX_MESSAGE = 400;
/** Impacted entities named one by one; the rest are counted. */
const MAX_IMPACTED = 20;

/** HTML escaping for Telegram (which understands only these entities) and for email bodies. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function clip(text: string, max = MAX_MESSAGE): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

/** `2026-11-21 06:30 UTC`. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const EMOJI: Record<AlertItem['event'], string> = {
  down: '🔴', impacted: '🔴', reminder: '🔁', recovered: '✅', outage: '🟠', degraded: '🟡', undegraded: '🟢',
  certificate: '🔐', config_invalid: '⚠️', config_fixed: '✅', flapping: '🔀', flapping_end: '⏹️',
  maintenance_start: '🔧', maintenance_end: '🏁', probe_offline: '📡', probe_online: '📡',
};

/** A line of an item: plain text parts, some of them bold. */
export type Part = string | { readonly bold: string };
export type Line = readonly Part[];

function certText(days: number): string {
  if (days < 0) return `TLS certificate expired ${-days} day${days === -1 ? '' : 's'} ago`;
  if (days === 0) return 'TLS certificate expires today';
  return `TLS certificate expires in ${days} day${days === 1 ? '' : 's'}`;
}

function impactedList(names: readonly string[]): string {
  if (names.length <= MAX_IMPACTED) return names.join(', ');
  return `${names.slice(0, MAX_IMPACTED).join(', ')} and ${names.length - MAX_IMPACTED} more`;
}

export function headline(i: AlertItem): Line {
  const name = { bold: i.entity ?? '' };
  const lasted = i.since === null ? '' : ` after ${formatDuration(i.at - i.since)}`;
  const emoji = `${EMOJI[i.event]} `;
  switch (i.event) {
    case 'down': return [emoji, name, ' is down'];
    case 'impacted': return [emoji, name, ' is down: more entities impacted'];
    case 'reminder': return [emoji, name, ` is still down${i.since === null ? '' : ` (for ${formatDuration(i.at - i.since)})`}`];
    case 'recovered': return [emoji, name, ` is back up${i.status === 'degraded' ? ' (degraded)' : ''}${lasted}`];
    case 'outage': return [emoji, name, ` was down from ${formatTime(i.since ?? i.at)} to ${formatTime(i.at)} (${formatDuration(i.at - (i.since ?? i.at))})`];
    case 'degraded': return [emoji, name, ' is degraded'];
    case 'undegraded': return [emoji, name, ` is back to normal${lasted}`];
    case 'certificate': return [emoji, name, `: ${certText(i.days ?? 0)}`];
    case 'config_invalid': return [emoji, { bold: 'config invalid' }];
    case 'config_fixed': return [emoji, { bold: 'config fixed' }, `: ${i.message}`];
    case 'flapping': return [emoji, name, ' is flapping'];
    case 'flapping_end': return [emoji, name, ` stopped flapping after ${formatDuration(i.at - (i.since ?? i.at))}: now ${i.status ?? 'unknown'}`];
    case 'maintenance_start': return [emoji, 'Maintenance ', { bold: i.window?.name ?? '' }, ' started'];
    case 'maintenance_end': return [emoji, 'Maintenance ', { bold: i.window?.name ?? '' }, i.window?.ended_by ? ` ended early (by ${i.window.ended_by})` : ' ended'];
    case 'probe_offline':
    case 'probe_online': return [emoji, i.message];
  }
}

export function details(i: AlertItem): Line[] {
  const lines: Line[] = [];
  switch (i.event) {
    case 'down':
    case 'impacted':
    case 'reminder':
      lines.push([clip(i.message)]);
      if (i.impacted.length > 0) lines.push([`Impacted: ${impactedList(i.impacted)}`]);
      if (i.since !== null) lines.push([`Since ${formatTime(i.since)}`]);
      break;
    case 'degraded':
    case 'flapping':
      lines.push([clip(i.message)]);
      break;
    case 'recovered':
      if (i.since !== null) lines.push([`Down since ${formatTime(i.since)}`]);
      break;
    case 'outage':
      lines.push([clip(i.message)]);
      if (i.impacted.length > 0) lines.push([`Impacted: ${impactedList(i.impacted)}`]);
      lines.push([`Now ${i.status ?? 'unknown'}; told late because the store was failing.`]);
      break;
    case 'config_invalid':
      for (const problem of i.message.split('\n').slice(0, 10)) lines.push([clip(problem)]);
      lines.push(['The last good configuration keeps running.']);
      break;
    case 'maintenance_start':
      if (i.message !== '') lines.push([clip(i.message)]);
      lines.push([`Covers: ${impactedList(i.reach ?? [])}`]);
      if (i.window) lines.push([`Until ${formatTime(i.window.end)}; no alerts for these until then`]);
      break;
    case 'maintenance_end':
      lines.push([`Covered: ${impactedList(i.reach ?? [])}`]);
      if (i.since !== null) lines.push([`Lasted ${formatDuration(i.at - i.since)}; alerts are back on`]);
      break;
    case 'undegraded':
    case 'certificate':
    case 'config_fixed':
    case 'flapping_end':
      break;
    case 'probe_offline':
      lines.push(['Its sites count as unknown, not down, until it reports again.']);
      break;
    case 'probe_online':
      break;
  }
  return lines;
}

function htmlLine(line: Line): string {
  return line.map((p) => (typeof p === 'string' ? escapeHtml(p) : `<b>${escapeHtml(p.bold)}</b>`)).join('');
}

export function plainLine(line: Line): string {
  return line.map((p) => (typeof p === 'string' ? p : p.bold)).join('');
}

export function htmlBlock(i: AlertItem): string {
  const lines = [headline(i), ...details(i)].map(htmlLine);
  if (i.url !== null) lines.push(`<a href="${escapeHtml(i.url)}">Open on the map</a>`);
  return lines.join('\n');
}

/** One item as plain text (also the `text` of a webhook document). */
export function plainBlock(i: AlertItem): string {
  const lines = [headline(i), ...details(i)].map(plainLine);
  if (i.url !== null) lines.push(i.url);
  return lines.join('\n');
}

/** Telegram message text in HTML parse mode: blocks separated by a blank line, as many as fit. */
export function telegramText(alert: Alert): string {
  const max = TELEGRAM_MAX - 40; // room for the "… and N more" line
  const blocks = alert.items.map((i) => {
    const html = htmlBlock(i);
    // A block too long even alone (a pathological message) goes as plain text, cut before
    // escaping so no entity or tag is cut in half; escaping grows a character to at most 6.
    return html.length <= max ? html : escapeHtml(clip(plainBlock(i), Math.floor(max / 6)));
  });
  let out = '';
  for (let n = 0; n < blocks.length; n++) {
    const next = out === '' ? blocks[n]! : `${out}\n\n${blocks[n]}`;
    if (next.length > max) return `${out}\n\n… and ${blocks.length - n} more`;
    out = next;
  }
  return out;
}

export function plainText(alert: Alert): string {
  return alert.items.map(plainBlock).join('\n\n');
}

/** `[title] fold_db is down`, `[title] fold_db is down (+2 more)`; never a line break. */
export function emailSubject(alert: Alert, title: string): string {
  const first = alert.items[0] ? plainLine(headline(alert.items[0]).slice(1)) : 'pulsemap';
  const more = alert.items.length > 1 ? ` (+${alert.items.length - 1} more)` : '';
  return `[${title}] ${first}${more}`.replace(/[\r\n]+/g, ' ');
}

export function emailHtml(alert: Alert, title: string): string {
  const blocks = alert.items.map((i) => `<p>${htmlBlock(i).replace(/\n/g, '<br>\n')}</p>`);
  return `<!doctype html>\n<html><body>\n<h3>${escapeHtml(title)}</h3>\n${blocks.join('\n')}\n</body></html>\n`;
}

/** The JSON document POSTed to a webhook, one per item. */
export interface WebhookDocument {
  readonly event: AlertItem['event'];
  readonly entity: string | null;
  readonly status: AlertItem['status'];
  readonly message: string;
  readonly impacted: readonly string[];
  /** ISO 8601. */
  readonly at: string;
  readonly since: string | null;
  readonly url: string | null;
  /**
   * The failure this item belongs to, `entity@since` (ISO): the same for a root's `down`, its
   * `impacted` updates, reminders and its recovery. null for items about no failure.
   */
  readonly incident: string | null;
  /** The same item as plain text, for receivers that only forward text. */
  readonly text: string;
}

export function webhookDocument(i: AlertItem): WebhookDocument {
  return {
    event: i.event, entity: i.entity, status: i.status, message: i.message, impacted: i.impacted,
    at: new Date(i.at).toISOString(), since: i.since === null ? null : new Date(i.since).toISOString(),
    url: i.url, incident: i.entity === null || i.since === null ? null : `${i.entity}@${new Date(i.since).toISOString()}`,
    text: plainBlock(i),
  };
}
