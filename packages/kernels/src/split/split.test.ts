import * as assert from 'node:assert/strict';
import { rowHash } from './hash.js';
import { splitAssignment, splitMask, stratifiedSplitMask } from './split.js';
import { fixture } from '../testing/helpers.js';

describe('kernels/split', () => {
  it('rowHash matches the Python reimplementation in make_fixtures.py', () => {
    const f = fixture('metrics.json').split;
    assert.deepEqual(f.row_ids.map((id: number) => rowHash(id, 42)), f.row_hash_seed42);
  });

  it('splitAssignment reproduces the fixture test rows for every dataset', () => {
    for (const name of ['breast_cancer', 'iris', 'diabetes']) {
      const f = fixture(`${name}.json`);
      const test: number[] = [];
      for (let i = 0; i < f.n_rows; i++) if (splitAssignment(i, 42, 0.2) === 'test') test.push(i);
      assert.deepEqual(test, f.test_row_ids, name);
    }
  });

  it('splitMask agrees with splitAssignment across shard boundaries', () => {
    const whole = splitMask(0, 1000, 7, 0.3);
    const a = splitMask(0, 400, 7, 0.3);
    const b = splitMask(400, 600, 7, 0.3);
    assert.deepEqual([...whole], [...a, ...b]);
    for (let i = 0; i < 1000; i += 37) assert.equal(whole[i] === 1, splitAssignment(i, 7, 0.3) === 'test');
    const share = whole.reduce((s, v) => s + v, 0) / 1000;
    assert.ok(Math.abs(share - 0.3) < 0.05, `test share ${share}`);
  });

  it('is deterministic in the seed and honours 0 and 1', () => {
    assert.deepEqual(splitMask(0, 500, 1, 0.2), splitMask(0, 500, 1, 0.2));
    assert.notDeepEqual(splitMask(0, 500, 1, 0.2), splitMask(0, 500, 2, 0.2));
    assert.ok(splitMask(0, 100, 1, 0).every((v) => v === 0));
    assert.ok(splitMask(0, 100, 1, 1).every((v) => v === 1));
  });

  it('stratifiedSplitMask takes round(count * fraction) rows of each class', () => {
    const labels = Int32Array.from({ length: 103 }, (_, i) => (i < 50 ? 0 : i < 90 ? 1 : 2));
    const m = stratifiedSplitMask(labels, 42, 0.2);
    const perClass = [0, 0, 0];
    m.forEach((v, i) => (perClass[labels[i]] += v));
    assert.deepEqual(perClass, [10, 8, 3]);
    assert.deepEqual(m, stratifiedSplitMask(labels, 42, 0.2));
  });

  it('rejects bad arguments with INVALID_INPUT', () => {
    assert.throws(() => splitAssignment(-1, 42, 0.2), /INVALID_INPUT/);
    assert.throws(() => splitAssignment(1, 42, 1.5), /INVALID_INPUT/);
    assert.throws(() => splitAssignment(1.5, 42, 0.2), /INVALID_INPUT/);
  });
});
