/** The shipped datasets in examples/datasets: types, missing values, Arrow round trip. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { DatasetProfileSchema, DatasetSchemaSchema } from '@weft/proto';
import { assertNoNonFinite, DATASETS, ingest, tempDir, values } from './test-helpers.js';

const d = (f: string) => path.join(DATASETS, f);

describe('ingest: examples/datasets', function () {
  this.timeout(30_000); // seven files in one test: over mocha's 2 s on a busy 2-core machine
  const t = tempDir();
  after(t.cleanup);
  const typeOf = (r: { schema: { columns: Array<{ name: string; type: string }> } }, n: string) => r.schema.columns.find((c) => c.name === n)?.type;

  it('penguins: Sex categorical with its missing values, numeric measurements', async () => {
    const { result, table } = await ingest(t.dir, d('penguins.csv'));
    assert.equal(result.rowCount, 344);
    assert.equal(typeOf(result, 'Species'), 'categorical');
    assert.equal(typeOf(result, 'Sex'), 'categorical');
    for (const n of ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)']) assert.equal(typeOf(result, n), 'float');
    const sex = values(table, 'Sex');
    assert.equal(sex.filter((v) => v === null).length, 10);
    assert.equal(result.profile.columns.Sex.missing, 10);
    assert.equal(result.profile.columns['Beak Length (mm)'].missing, 2);
    const beak = table.getChild('Beak Length (mm)')!;
    assert.equal(beak.isValid(3), false); // row 5 of the file: "Adelie,Torgersen,,,,,"
    assert.equal(beak.get(0), 39.1);
    assert.deepEqual(result.profile.columns.Species.topCategories!.map((c) => c.value).sort(), ['Adelie', 'Chinstrap', 'Gentoo']);
  });

  it('cars: Year datetime, Name identifier, Origin categorical, missing target values', async () => {
    const { result, table } = await ingest(t.dir, d('cars.csv'));
    assert.equal(result.rowCount, 406);
    assert.equal(typeOf(result, 'Year'), 'datetime');
    assert.equal(typeOf(result, 'Name'), 'identifier');
    assert.equal(typeOf(result, 'Origin'), 'categorical');
    assert.equal(typeOf(result, 'Cylinders'), 'integer');
    assert.equal(table.getChild('Year')!.get(0), Date.UTC(1970, 0, 1));
    assert.equal(result.profile.columns.Year.min, '1970-01-01T00:00:00.000Z');
    assert.ok(result.profile.columns.Miles_per_Gallon.missing > 0);
    assert.equal(table.getChild('Miles_per_Gallon')!.isValid(10), false); // citroen ds-21 pallas
    assert.ok(result.warnings.some((w) => w.code === 'LIKELY_IDENTIFIER' && w.column === 'Name'));
  });

  it('iris: species categorical, four float measurements', async () => {
    const { result } = await ingest(t.dir, d('iris.csv'));
    assert.equal(result.rowCount, 150);
    assert.equal(typeOf(result, 'species'), 'categorical');
    assert.deepEqual(result.schema.columns.find((c) => c.name === 'species')!.categories, ['setosa', 'versicolor', 'virginica']);
    assert.equal(result.schema.columns.filter((c) => c.type === 'float').length, 4);
    assert.equal(result.profile.correlations!.columns.length, 4);
  });

  it('breast_cancer: diagnosis categorical, 30 floats', async () => {
    const { result } = await ingest(t.dir, d('breast_cancer.csv'));
    assert.equal(result.rowCount, 569);
    assert.equal(typeOf(result, 'diagnosis'), 'categorical');
    assert.equal(result.schema.columns.filter((c) => c.type === 'float').length, 30);
  });

  it('diabetes: all float', async () => {
    const { result } = await ingest(t.dir, d('diabetes.csv'));
    assert.equal(result.rowCount, 442);
    assert.ok(result.schema.columns.every((c) => c.type === 'float'));
  });

  it('digits and seattle-weather: types, and every profile satisfies the contract without NaN', async () => {
    const digits = await ingest(t.dir, d('digits.csv'));
    assert.equal(digits.result.rowCount, 1797);
    assert.equal(typeOf(digits.result, 'digit'), 'integer');
    const weather = await ingest(t.dir, d('seattle-weather.csv'));
    assert.equal(typeOf(weather.result, 'date'), 'datetime');
    assert.equal(typeOf(weather.result, 'weather'), 'categorical');
    for (const f of ['penguins.csv', 'cars.csv', 'iris.csv', 'breast_cancer.csv', 'diabetes.csv', 'digits.csv', 'seattle-weather.csv']) {
      const { result } = await ingest(t.dir, d(f));
      DatasetSchemaSchema.parse(result.schema);
      DatasetProfileSchema.parse(JSON.parse(JSON.stringify(result.profile)));
      assertNoNonFinite(result);
    }
  });
});
