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
  describe('preprocessing nodes of issue 4', () => {
    const schema = () => ({
      columns: [
        { name: 'x', type: 'float' as const, role: 'feature' as const },
        { name: 'city', type: 'categorical' as const, role: 'feature' as const },
        { name: 'when', type: 'datetime' as const, role: 'feature' as const },
        { name: 'y', type: 'float' as const, role: 'feature' as const },
      ],
    });
    const graph = (steps: Array<{ id: string; type: string; params: Record<string, unknown> }>, split: Record<string, unknown> = {}) => {
      const nodes = [{ id: 'data', type: 'dataset', params: { datasetId: 'ds_1', target: 'y' } }, { id: 'split', type: 'split', params: split }, ...steps, { id: 'model', type: 'linear_regression', params: {} }];
      return { nodes, edges: nodes.slice(1).map((n, i) => ({ source: nodes[i]!.id, target: n.id })) };
    };
    const fields = (r: ReturnType<typeof validateWorkflow>) => r.issues.map((i) => [i.nodeId, i.field]);

    it('accepts every new node with its defaults and fills them in', () => {
      const r = validateWorkflow(
        graph([
          { id: 'dt', type: 'datetime_features', params: {} },
          { id: 'ord', type: 'ordinal', params: {} },
          { id: 'te', type: 'target_encode', params: { columns: ['city'] } },
          { id: 'clip', type: 'clip', params: { lowerQuantile: 0.01, upper: 100 } },
          { id: 'vt', type: 'variance_threshold', params: {} },
        ]),
        { datasetSchema: schema, requireModel: true },
      );
      assert.deepEqual(r.issues, []);
      const p = (id: string) => r.graph!.nodes.find((n) => n.id === id)!.params;
      assert.deepEqual(p('dt').features, ['year', 'month', 'day', 'day_of_week', 'hour']);
      assert.deepEqual([p('te').smooth, p('te').cv], ['auto', 5]);
      assert.equal(p('ord').unknownValue, -1);
      assert.equal(p('vt').threshold, 0);
    });

    it('names the field of clip bounds that are missing, doubled or crossed', () => {
      assert.deepEqual(fields(validateWorkflow(graph([{ id: 'clip', type: 'clip', params: {} }]))), [['clip', 'params.lowerQuantile']]);
      assert.deepEqual(fields(validateWorkflow(graph([{ id: 'clip', type: 'clip', params: { lower: 1, lowerQuantile: 0.1 } }]))), [['clip', 'params.lowerQuantile']]);
      assert.deepEqual(fields(validateWorkflow(graph([{ id: 'clip', type: 'clip', params: { lower: 5, upper: 1 } }]))), [['clip', 'params.lower']]);
      assert.deepEqual(fields(validateWorkflow(graph([{ id: 'clip', type: 'clip', params: { upperQuantile: 2 } }]))), [['clip', 'params.upperQuantile']]);
    });

    it('names columns of the wrong type', () => {
      const r = validateWorkflow(
        graph([
          { id: 'dt', type: 'datetime_features', params: { columns: ['x'] } },
          { id: 'te', type: 'target_encode', params: { columns: ['when'] } },
          { id: 'clip', type: 'clip', params: { columns: ['city'], upper: 1 } },
        ]),
        { datasetSchema: schema },
      );
      assert.deepEqual(fields(r), [['dt', 'params.columns.0'], ['te', 'params.columns.0'], ['clip', 'params.columns.0']]);
      assert.match(r.issues[0]!.message, /column "x" is float; this node takes datetime columns/);
      const none = validateWorkflow(graph([{ id: 'dt', type: 'datetime_features', params: {} }]), { datasetSchema: () => ({ columns: [schema().columns[0]!, schema().columns[3]!] }) });
      assert.deepEqual(fields(none), [['dt', 'params.columns']]);
    });

    it('names a categorical column given to variance_threshold', () => {
      const r = validateWorkflow(graph([{ id: 'vt', type: 'variance_threshold', params: { columns: ['x', 'city'] } }]), { datasetSchema: schema });
      assert.deepEqual(fields(r), [['vt', 'params.columns.1']]);
      assert.match(r.issues[0]!.message, /column "city" is categorical; this node takes numeric columns/);
    });

    it('refuses the target (or an ignored column) in the columns of a transform, naming node and field', () => {
      const steps: Array<[string, Record<string, unknown>]> = [
        ['ordinal', {}],
        ['target_encode', {}],
        ['clip', { upper: 1 }],
        ['variance_threshold', {}],
        ['impute', {}],
        ['scale', {}],
        ['one_hot', {}],
        ['datetime_features', {}],
      ];
      for (const [type, params] of steps) {
        const r = validateWorkflow(graph([{ id: 'n', type, params: { ...params, columns: ['y'] } }]), { datasetSchema: schema });
        const about = r.issues.filter((i) => /the target column/.test(i.message));
        assert.deepEqual(about.map((i) => [i.code, i.nodeId, i.field]), [['INVALID_PARAM', 'n', 'params.columns.0']], `${type}: ${JSON.stringify(r.issues)}`);
      }
      const ignored = validateWorkflow(
        { ...graph([{ id: 'sc', type: 'scale', params: { columns: ['x'] } }]), nodes: graph([{ id: 'sc', type: 'scale', params: { columns: ['x'] } }]).nodes.map((n) => (n.id === 'data' ? { ...n, params: { ...n.params, ignore: ['x'] } } : n)) },
        { datasetSchema: schema },
      );
      assert.deepEqual(fields(ignored), [['sc', 'params.columns.0']]);
      assert.match(ignored.issues[0]!.message, /ignores/);
      // a column that is a feature is fine (one-hot: "city" would otherwise reach the model)
      assert.deepEqual(validateWorkflow(graph([{ id: 'sc', type: 'scale', params: { columns: ['x'] } }, { id: 'oh', type: 'one_hot', params: {} }]), { datasetSchema: schema }).issues, []);
    });

    it('refuses datetime_features listing a feature twice', () => {
      const r = validateWorkflow(graph([{ id: 'dt', type: 'datetime_features', params: { features: ['year', 'year'] } }]));
      assert.deepEqual(fields(r), [['dt', 'params.features']]);
      assert.match(r.issues[0]!.message, /once/);
    });

    it('refuses target encoding under a split with distributed "on", naming the split field and the node', () => {
      const te = { id: 'te', type: 'target_encode', params: {} };
      const r = validateWorkflow(graph([te], { distributed: 'on' }));
      assert.deepEqual(fields(r), [['split', 'params.distributed']]);
      assert.match(r.issues[0]!.message, /node "te" \(Target encode\) has no distributed fit/);
      assert.deepEqual(validateWorkflow(graph([te], { distributed: 'auto' })).issues, []);
      assert.deepEqual(validateWorkflow(graph([{ id: 'ord', type: 'ordinal', params: {} }], { distributed: 'on' })).issues, []);
    });
  });

  describe('clustering (k-means)', () => {
    const schema = () => ({
      columns: [
        { name: 'x', type: 'float' as const, role: 'feature' as const },
        { name: 'c', type: 'categorical' as const, role: 'feature' as const },
        { name: 'y', type: 'categorical' as const, role: 'feature' as const },
        { name: 'v', type: 'float' as const, role: 'feature' as const },
      ],
    });
    const graph = (dsParams: Record<string, unknown>, splitParams: Record<string, unknown> = {}, encoder = 'one_hot') => ({
      nodes: [
        { id: 'data', type: 'dataset', params: { datasetId: 'ds_1', ...dsParams } },
        { id: 'split', type: 'split', params: splitParams },
        { id: 'enc', type: encoder, params: { columns: ['c'] } },
        { id: 'km', type: 'kmeans', params: { nClusters: 3 } },
        { id: 'ev', type: 'evaluate', params: {} },
      ],
      edges: [
        { source: 'data', target: 'split' },
        { source: 'split', target: 'enc' },
        { source: 'enc', target: 'km' },
        { source: 'km', target: 'ev' },
      ],
    });

    it('accepts a k-means model without a target and with a class target', () => {
      // Without a target, the categorical "y" is a feature: ignored here (see CATEGORICAL_REACHES_MODEL below).
      for (const ds of [{ ignore: ['y'] }, { target: 'y' }]) {
        const r = validateWorkflow(graph(ds), { datasetSchema: schema });
        assert.deepEqual(r.issues, [], JSON.stringify(ds));
        assert.equal(r.valid, true);
      }
    });

    it('refuses a float target (it is only compared with clusters) and target encoding upstream', () => {
      const float = validateWorkflow(graph({ target: 'v', ignore: ['y'] }), { datasetSchema: schema });
      assert.deepEqual(float.issues.map((i) => [i.code, i.nodeId, i.field]), [['TARGET_TYPE_MISMATCH', 'km', 'target']]);
      const te = validateWorkflow(graph({ target: 'y' }, {}, 'target_encode'), { datasetSchema: schema });
      assert.deepEqual(te.issues.map((i) => [i.code, i.nodeId]), [['INVALID_PARAM', 'enc']]);
      assert.match(te.issues[0]!.message, /clustering model "km"/);
    });

    it("refuses distributed 'on', naming the k-means node; 'auto' is valid", () => {
      const on = validateWorkflow(graph({ ignore: ['y'] }, { distributed: 'on' }), { datasetSchema: schema });
      assert.deepEqual(on.issues.map((i) => [i.code, i.nodeId, i.field]), [['INVALID_PARAM', 'split', 'params.distributed']]);
      assert.match(on.issues[0]!.message, /node "km" \(k-means\) has no distributed fit/);
      assert.equal(validateWorkflow(graph({ ignore: ['y'] }, { distributed: 'auto' }), { datasetSchema: schema }).valid, true);
    });

    it('checks the params schema (nClusters 2..1000, nInit default 3)', () => {
      const bad = validateWorkflow({ ...graph({}), nodes: graph({}).nodes.map((n) => (n.id === 'km' ? { ...n, params: { nClusters: 1 } } : n)) }, { datasetSchema: schema });
      assert.deepEqual(bad.issues.map((i) => [i.code, i.nodeId]), [['INVALID_PARAM', 'km']]);
    });
  });
  describe('CATEGORICAL_REACHES_MODEL (column types along the chain, as the executor chooses and transforms them)', () => {
    const col = (name: string, type: 'float' | 'integer' | 'categorical' | 'text' | 'identifier' | 'datetime' | 'boolean') => ({ name, type, role: 'feature' as 'feature' | 'ignore' | 'target' });
    const iris = () => ({
      columns: [col('sepal length (cm)', 'float'), col('sepal width (cm)', 'float'), col('petal length (cm)', 'float'), col('petal width (cm)', 'float'), col('species', 'categorical')],
    });
    const penguins = () => ({
      columns: [
        col('Species', 'categorical'),
        col('Island', 'categorical'),
        col('Beak Length (mm)', 'float'),
        col('Beak Depth (mm)', 'float'),
        col('Flipper Length (mm)', 'float'),
        col('Body Mass (g)', 'float'),
        col('Sex', 'categorical'),
      ],
    });
    /** dataset → split → steps → model → evaluate */
    const chain = (dsParams: Record<string, unknown>, steps: Array<[string, Record<string, unknown>]>, model: string, modelParams: Record<string, unknown> = {}) => {
      const ids = ['data', 'split', ...steps.map((_, i) => `t${i}`), 'model', 'eval'];
      return {
        nodes: [
          { id: 'data', type: 'dataset', params: { datasetId: 'ds_1', ...dsParams } },
          { id: 'split', type: 'split', params: { stratify: false } },
          ...steps.map(([type, params], i) => ({ id: `t${i}`, type, params })),
          { id: 'model', type: model, params: modelParams },
          { id: 'eval', type: 'evaluate', params: {} },
        ],
        edges: ids.slice(1).map((id, i) => ({ source: ids[i]!, target: id })),
      };
    };
    const km = (dsParams: Record<string, unknown>, steps: Array<[string, Record<string, unknown>]>) => chain(dsParams, steps, 'kmeans', { nClusters: 3 });
    const issues = (g: unknown, schema = iris) => validateWorkflow(g, { datasetSchema: schema }).issues;

    it('iris k-means without a target and without ignoring species: names the model node and the column', () => {
      const r = validateWorkflow(km({}, [['impute', { strategy: 'mean' }], ['scale', { method: 'standard' }]]), { datasetSchema: iris });
      assert.equal(r.valid, false);
      assert.deepEqual(r.issues.map((i) => [i.code, i.nodeId]), [['CATEGORICAL_REACHES_MODEL', 'model']]);
      assert.match(r.issues[0]!.message, /"model".*categorical column "species" reaches the model/);
    });

    it('iris k-means is valid with one-hot or ordinal encoding before the model, or species in params.ignore, or as the target', () => {
      assert.deepEqual(issues(km({}, [['one_hot', {}], ['scale', {}]])), []);
      assert.deepEqual(issues(km({}, [['scale', {}], ['one_hot', { columns: ['species'] }]])), []);
      assert.deepEqual(issues(km({}, [['ordinal', {}]])), []);
      assert.deepEqual(issues(km({}, [['impute', {}], ['ordinal', { columns: ['species'] }], ['scale', {}]])), []);
      assert.deepEqual(issues(km({ ignore: ['species'] }, [['scale', {}]])), []);
      assert.deepEqual(issues(km({ target: 'species' }, [['scale', {}]])), []);
      assert.deepEqual(issues(km({ features: ['sepal length (cm)', 'petal width (cm)'] }, [])), []);
    });

    it('a column role (ignore) in the schema keeps it out; an explicit features list brings it back', () => {
      const roleIgnored = () => ({ columns: iris().columns.map((c) => (c.name === 'species' ? { ...c, role: 'ignore' as const } : c)) });
      assert.deepEqual(issues(km({}, []), roleIgnored), []);
      assert.deepEqual(issues(km({ features: ['species', 'sepal length (cm)'] }, []), roleIgnored).map((i) => i.code), ['CATEGORICAL_REACHES_MODEL']);
    });

    it('text, identifier and datetime columns are not features (the executor leaves them out); datetime_features makes numbers', () => {
      const schema = () => ({ columns: [col('x', 'float'), col('name', 'text'), col('id', 'identifier'), col('when', 'datetime'), col('ok', 'boolean'), col('y', 'float')] });
      assert.deepEqual(issues(chain({ target: 'y' }, [], 'linear_regression'), schema), []);
      assert.deepEqual(issues(chain({ target: 'y' }, [['datetime_features', {}]], 'linear_regression'), schema), []);
    });

    it('penguins-like schema: a categorical feature reaching a linear model is an error; target or one-hot encoding fixes it', () => {
      const bad = issues(chain({ target: 'Body Mass (g)' }, [['impute', {}], ['scale', {}]], 'linear_regression'), penguins);
      assert.deepEqual(bad.map((i) => [i.code, i.nodeId]), [['CATEGORICAL_REACHES_MODEL', 'model']]);
      assert.match(bad[0]!.message, /categorical columns "Species", "Island", "Sex" reach the model/);
      assert.deepEqual(issues(chain({ target: 'Body Mass (g)' }, [['impute', {}], ['target_encode', {}], ['scale', {}]], 'linear_regression'), penguins), []);
      assert.deepEqual(issues(chain({ target: 'Species' }, [['impute', {}], ['target_encode', {}], ['scale', {}]], 'logistic_regression'), penguins), []);
      assert.deepEqual(issues(chain({ target: 'Body Mass (g)' }, [['impute', {}], ['one_hot', {}]], 'linear_regression'), penguins), []);
      // Encoding only some of them names the rest.
      const partial = issues(chain({ target: 'Body Mass (g)' }, [['impute', {}], ['one_hot', { columns: ['Island'] }], ['ordinal', { columns: ['Sex'] }]], 'linear_regression'), penguins);
      assert.deepEqual(partial.map((i) => [i.code, i.nodeId]), [['CATEGORICAL_REACHES_MODEL', 'model']]);
      assert.match(partial[0]!.message, /categorical column "Species" reaches/);
      // Numeric-only steps (variance threshold, clip) leave categorical columns in place.
      const num = issues(chain({ target: 'Body Mass (g)' }, [['impute', {}], ['clip', { lowerQuantile: 0.01 }], ['variance_threshold', {}]], 'linear_regression'), penguins);
      assert.deepEqual(num.map((i) => i.code), ['CATEGORICAL_REACHES_MODEL']);
    });

    it('skips the check when it cannot be certain (no schema, unknown dataset, a named column that may not be there)', () => {
      assert.deepEqual(validateWorkflow(km({}, [])).issues, []);
      assert.deepEqual(validateWorkflow(km({}, []), { datasetSchema: () => undefined }).issues.map((i) => i.code), ['UNKNOWN_DATASET']);
      // variance_threshold may drop "sepal length (cm)": naming it afterwards fails first or not, depending on the data.
      const g = km({}, [['variance_threshold', {}], ['scale', { columns: ['sepal length (cm)'] }]]);
      assert.deepEqual(issues(g), []);
      // A one-hot output named downstream: its existence depends on the data.
      const named = issues(chain({ target: 'Body Mass (g)' }, [['impute', {}], ['one_hot', { columns: ['Island'] }], ['scale', { columns: ['Island=Biscoe'] }]], 'linear_regression'), penguins);
      assert.deepEqual(named.map((i) => i.code), ['UNKNOWN_COLUMN']);
    });
  });
});
