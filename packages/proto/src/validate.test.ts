import * as assert from 'node:assert/strict';
import { topologicalOrder, validateWorkflow } from './validate.js';

describe('proto/validate', () => {
  it('orders an acyclic graph', () => {
    const r = topologicalOrder(['a', 'b', 'c'], [{ source: 'a', target: 'b' }, { source: 'b', target: 'c' }]);
    assert.deepEqual(r, { ok: true, order: ['a', 'b', 'c'] });
  });

  it('names the nodes of a cycle even when the cycle has exits downstream (regression: crashed)', () => {
    const edges = [
      { source: 'data', target: 'split' },
      { source: 'impute', target: 'scale' },
      { source: 'scale', target: 'model' },
      { source: 'model', target: 'evaluate' },
      { source: 'scale', target: 'impute' },
    ];
    const r = topologicalOrder(['data', 'split', 'impute', 'scale', 'model', 'evaluate'], edges);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.deepEqual(new Set(r.cycle), new Set(['impute', 'scale']));
      assert.equal(r.cycle[0], r.cycle[r.cycle.length - 1]);
    }
  });

  it('reports every problem with its node and field', () => {
    const r = validateWorkflow(
      {
        nodes: [
          { id: 'data', type: 'dataset', params: { datasetId: 'ds_1', target: 'y' } },
          { id: 'split', type: 'split', params: { testFraction: 2 } },
          { id: 'model', type: 'linear_regression', params: {} },
          { id: 'what', type: 'nope', params: {} },
          { id: 'ev', type: 'evaluate', params: {} },
        ],
        edges: [
          { source: 'data', target: 'split' },
          { source: 'data', target: 'model' },
        ],
      },
      { datasetSchema: () => ({ columns: [{ name: 'x', type: 'float', role: 'feature' }, { name: 'y', type: 'categorical', role: 'feature' }] }) },
    );
    assert.equal(r.valid, false);
    const by = (code: string) => r.issues.filter((i) => i.code === code);
    assert.deepEqual(by('INVALID_PARAM').map((i) => [i.nodeId, i.field]), [['split', 'params.testFraction']]);
    assert.deepEqual(by('UNKNOWN_NODE_TYPE').map((i) => i.nodeId), ['what']);
    assert.deepEqual(by('PORT_TYPE_MISMATCH').map((i) => i.nodeId), ['model']);
    assert.deepEqual(by('MISSING_INPUT').map((i) => i.nodeId).sort(), ['ev', 'model']);
  });

  it('rejects a regression model on a categorical target and an unknown column', () => {
    const r = validateWorkflow(
      {
        nodes: [
          { id: 'data', type: 'dataset', params: { datasetId: 'ds_1', target: 'y' } },
          { id: 'split', type: 'split', params: {} },
          { id: 'scale', type: 'scale', params: { columns: ['zz'] } },
          { id: 'model', type: 'linear_regression', params: {} },
        ],
        edges: [
          { source: 'data', target: 'split' },
          { source: 'split', target: 'scale' },
          { source: 'scale', target: 'model' },
        ],
      },
      { datasetSchema: () => ({ columns: [{ name: 'x', type: 'float', role: 'feature' }, { name: 'y', type: 'categorical', role: 'feature' }] }) },
    );
    assert.deepEqual(
      r.issues.map((i) => [i.code, i.nodeId, i.field]),
      [
        ['UNKNOWN_COLUMN', 'scale', 'params.columns.0'],
        ['TARGET_TYPE_MISMATCH', 'model', 'target'],
      ],
    );
  });

  it('reports duplicate node ids instead of crashing (regression: 500 on validate and submit)', () => {
    const r = validateWorkflow({
      nodes: [
        { id: 'data', type: 'dataset', params: { datasetId: 'ds_1', target: 'y' } },
        { id: 'split', type: 'split', params: {} },
        { id: 'split', type: 'split', params: {} },
      ],
      edges: [{ source: 'data', target: 'split' }],
    });
    assert.equal(r.valid, false);
    assert.deepEqual(r.issues.map((i) => [i.code, i.nodeId]), [['DUPLICATE_NODE_ID', 'split']]);
  });

  it('names unknown parameters, a target listed as a feature, and edges into a node without inputs', () => {
    const r = validateWorkflow(
      {
        nodes: [
          { id: 'data', type: 'dataset', params: { datasetId: 'ds_1', target: 'y', features: ['x', 'y'] } },
          { id: 'split', type: 'split', params: { bogus: 1 } },
          { id: 'model', type: 'linear_regression', params: {} },
          { id: 'ev', type: 'evaluate', params: {} },
        ],
        edges: [
          { source: 'data', target: 'split' },
          { source: 'split', target: 'model' },
          { source: 'model', target: 'ev' },
          { source: 'ev', target: 'data' },
        ],
      },
      { datasetSchema: () => ({ columns: [{ name: 'x', type: 'float', role: 'feature' }, { name: 'y', type: 'float', role: 'feature' }] }) },
    );
    const got = r.issues.map((i) => [i.code, i.nodeId, i.field]);
    assert.deepEqual(got, [
      ['INVALID_PARAM', 'split', 'params.bogus'],
      ['UNKNOWN_PORT', 'data', 'edges.3.targetHandle'],
      ['INVALID_PARAM', 'data', 'params.features.1'],
    ]);
    assert.match(r.issues[1].message, /takes no inputs/);
  });
});
