import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assignEntities, ownerOf, placementKeys } from '../../src/cluster/assign.ts';
import { apiEntity, configOf } from '../helpers/entities.ts';

describe('placing entities on instances', () => {
  it('keys an entity by its group, else by the root of its first dependencies', () => {
    const config = configOf([
      apiEntity('db', 'http://x/'),
      apiEntity('api', 'http://x/', ['db']),
      apiEntity('web', 'http://x/', ['api', 'cdn']),
      apiEntity('cdn', 'http://x/'),
      { ...apiEntity('disk', 'http://x/', ['db']), group: 'host1' },
    ]);
    assert.deepEqual([...placementKeys(config)], [
      ['db', 'root:db'], ['api', 'root:db'], ['web', 'root:db'], ['cdn', 'root:cdn'], ['disk', 'group:host1'],
    ]);
  });

  it('moves only the leaving instance\'s keys, and a joining one takes only keys it wins', () => {
    const keys = new Map(Array.from({ length: 3000 }, (_, i) => [`e${i}`, `root:r${i % 1000}`] as [string, string]));
    const three = assignEntities(keys, ['a', 'b', 'c']);
    const two = assignEntities(keys, ['a', 'c']);
    for (const [name, owner] of three) {
      if (owner !== 'b') assert.equal(two.get(name), owner, `${name} stays with ${owner}`);
      else assert.ok(['a', 'c'].includes(two.get(name)!));
    }
    const four = assignEntities(keys, ['a', 'b', 'c', 'd']);
    for (const [name, owner] of four) if (owner !== 'd') assert.equal(three.get(name), owner);
    const counts = new Map<string, number>();
    for (const owner of four.values()) counts.set(owner!, (counts.get(owner!) ?? 0) + 1);
    // 1000 keys over 4 instances: each gets a fair share (binomial, far inside these bounds).
    for (const id of ['a', 'b', 'c', 'd']) assert.ok(counts.get(id)! > 450 && counts.get(id)! < 1050, `${id}: ${counts.get(id)}`);
  });

  it('gives every key to nobody when no instance is alive, and the same owner whatever the order of the list', () => {
    assert.equal(ownerOf('root:x', []), null);
    assert.equal(ownerOf('root:x', ['a', 'b', 'c']), ownerOf('root:x', ['c', 'a', 'b']));
  });
});
