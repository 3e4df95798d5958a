// A status page as HTML that works without JavaScript: everything is in the markup, tooltips
// are title attributes, colours come from status.css (light and dark, following the system).
// Every piece of text goes through escapeHtml.
import type { DayView, ItemView, StatusView } from './view.ts';
import { PUBLIC_LABELS } from './view.ts';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const pct = (r: number | null): string => (r === null ? '—' : `${(r * 100).toFixed(r >= 0.9995 && r < 1 ? 3 : 2)} %`);

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

const when = (iso: string | null): string => (iso === null ? '' : `${iso.slice(0, 16).replace('T', ' ')} UTC`);

function dayClass(d: DayView): string {
  if (d.uptime === null) return 'none';
  if (d.uptime >= 0.999) return 'good';
  if (d.uptime >= 0.99) return 'fair';
  return d.uptime >= 0.95 ? 'poor' : 'bad';
}

export function dayTitle(d: DayView): string {
  if (d.uptime === null) return `${d.date}: no data`;
  const blocked = d.blocked_s > 0 ? ` (${formatDuration(d.blocked_s)} of it caused by a dependency)` : '';
  return `${d.date}: ${pct(d.uptime)} uptime, down ${formatDuration(d.downtime_s + d.blocked_s)}${blocked}`;
}

function item(i: ItemView): string {
  const e = escapeHtml;
  const cause = i.cause === null ? '' : ` — caused by ${e(i.cause)}`;
  const latency = i.latency_ms === undefined ? '' : `<span class="latency">${i.latency_ms === null ? '—' : `${i.latency_ms} ms`}</span>`;
  const coverage = i.coverage_90d < 0.999 ? ` <span class="muted">(data for ${Math.round(i.coverage_90d * 90)} of 90 days)</span>` : '';
  return `<li class="item ${i.status}">
  <div class="item-head"><span class="name">${e(i.name)}</span>${latency}<span class="state">${PUBLIC_LABELS[i.status]}${cause}</span></div>
  <ol class="days" aria-label="${e(i.name)}: uptime by day, last 90 days">${i.days.map((d) => `<li class="day ${dayClass(d)}" title="${e(dayTitle(d))}"><span class="visually-hidden">${e(dayTitle(d))}</span></li>`).join('')}</ol>
  <div class="item-foot muted"><span>90 days ago</span><span>${pct(i.uptime_90d)} uptime${coverage}</span><span>today</span></div>
</li>`;
}

/** `base`: the relative path from the page to the site root ('' for /status, '../' for /status/SLUG). */
export function renderStatusHtml(view: StatusView, base: string): string {
  const e = escapeHtml;
  const announcements = view.announcements.map((a) => `<article class="announcement ${a.severity}">
  <h2>${e(a.title)}</h2>${a.body ? `<p>${e(a.body).replace(/\n/g, '<br>')}</p>` : ''}${a.start ? `<p class="muted">since ${e(when(a.start))}${a.end ? `, until ${e(when(a.end))}` : ''}</p>` : ''}
</article>`).join('\n');
  const incidents = view.incidents.length === 0 ? '' : `<section class="incidents"><h2>Current incidents</h2><ul>${view.incidents
    .map((i) => `<li><strong>${e(i.name)}</strong>: outage${i.since ? ` since ${e(when(i.since))}` : ''}${i.cause ? `, caused by ${e(i.cause)}` : ''}</li>`).join('')}</ul></section>`;
  const deps = view.dependencies && view.dependencies.length > 0
    ? `<section class="dependencies"><h2>Dependencies</h2><ul>${view.dependencies.map((d) => `<li>${e(d.from)} → ${e(d.to)}</li>`).join('')}</ul></section>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="refresh" content="60">
<title>${e(view.title)}</title>
<link rel="stylesheet" href="${base}status.css">
<link rel="alternate" type="application/json" href="${base}status/${e(view.slug)}.json">
</head>
<body>
<main>
<header><h1>${e(view.title)}</h1>${view.description ? `<p class="muted">${e(view.description)}</p>` : ''}</header>
<p class="overall ${view.status}" role="status">${e(view.summary)}</p>
${announcements}
${incidents}
<ul class="items">
${view.items.map(item).join('\n')}
</ul>
${deps}
<footer class="muted">Updated ${e(when(view.updated))} · refreshes every minute · <a href="${base}status/${e(view.slug)}.json">JSON</a></footer>
</main>
</body>
</html>
`;
}
