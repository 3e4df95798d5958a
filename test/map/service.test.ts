import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMapService } from '../../src/map/service.ts';
import { initialState } from '../../src/monitor/state.ts';
import type { EntityState, Transition } from '../../src/types.ts';
import { configOf, pingEntity } from '../helpers/entities.ts';

test('figures may lag by figureRefreshMs; a status change is served at once', async () => {
  const config = configOf([pingEntity('a'), pingEntity('b')]);
  const states = new Map<string, EntityState>(config.entities.map((e) => [e.name, { ...initialState(e.name), status: 'ok', latency_ms: 1, last_ok: true }]));
  let now = 0;
  const map = createMapService({ monitor: { config: () => config, state: (n) => states.get(n) }, clock: { now: () => now }, figureRefreshMs: 1000 });
  try {
    const first = await map.svg();
    assert.match(first.body, /ping · 1.0 ms/);

    const faster: EntityState = { ...states.get('a')!, latency_ms: 7 };
    states.set('a', faster);
    map.onResult(config.entities[0]!, { ok: true, degraded: false, latency_ms: 7, message: '', extra: {}, at: 1 }, faster);
    now = 500;
    assert.equal(await map.svg(), first, 'within the refresh period a figure change reuses the last map');
    now = 1000;
    const refreshed = await map.svg();
    assert.notEqual(refreshed, first);
    assert.match(refreshed.body, /ping · 7.0 ms/, 'after it the new figure shows');

    const down: EntityState = { ...states.get('b')!, status: 'error', last_ok: false };
    states.set('b', down);
    const transition: Transition = { name: 'b', from: 'ok', to: 'error', at: 2, message: 'x', blocked_by: null, prev_since: null };
    map.onTransition(transition, down);
    now = 1001;
    const recoloured = await map.svg();
    assert.notEqual(recoloured, refreshed, 'a status change never waits for the refresh period');
    assert.match(recoloured.body, /class="pm-node pm-error" data-entity="b"/);
  } finally {
    await map.close();
  }
});

test('a configuration beyond maxEntities gets a notice instead of a layout', async () => {
  const config = configOf(Array.from({ length: 5 }, (_, i) => pingEntity(`e${i}`)));
  const map = createMapService({ monitor: { config: () => config, state: (n) => initialState(n) }, maxEntities: 4 });
  try {
    const svg = await map.svg();
    assert.match(svg.body, /The map is off: 5 entities is more than 4\./);
    assert.equal(map.layouts(), 0, 'no layout was attempted');
  } finally {
    await map.close();
  }
});
