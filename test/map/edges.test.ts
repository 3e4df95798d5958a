import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossEdgeMarkup } from '../../src/map/edges.ts';

const from = { x: 0, y: 0, w: 100, h: 50 };
const to = { x: 0, y: 300, w: 100, h: 50 };

test('a crossing edge runs straight down when nothing is in the way, ending in an arrowhead on the target', () => {
  const svg = crossEdgeMarkup(from, to, [{ x: 400, y: 100, w: 100, h: 100 }]);
  const [curve, head] = [...svg.matchAll(/d="([^"]+)"/g)].map((m) => m[1]!);
  assert.match(curve!, /^M50\.0 50\.0 C/);
  assert.match(head!, /^M50\.0 300\.0 /, 'the arrow tip touches the top of the target');
});

test('a crossing edge goes round a cell in its way, along a lane beside it', () => {
  const obstacle = { x: -20, y: 120, w: 160, h: 100 };
  const svg = crossEdgeMarkup(from, to, [obstacle]);
  const curve = /d="([^"]+)"/.exec(svg)![1]!;
  const m = /^M([\d.-]+) ([\d.-]+) H[\d.-]+ Q([\d.-]+) [\d.-]+ [\d.-]+ [\d.-]+ V/.exec(curve);
  assert.ok(m, `an orthogonal route: ${curve}`);
  const [startX, startY, lane] = [Number(m[1]), Number(m[2]), Number(m[3])];
  assert.ok(lane <= obstacle.x || lane >= obstacle.x + obstacle.w, `lane x=${lane} runs beside the obstacle`);
  assert.equal(startY, from.y + from.h / 2, 'leaves from the side of the source');
  assert.equal(startX, lane < 50 ? from.x : from.x + from.w);
});
