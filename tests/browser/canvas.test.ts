/**
 * The canvas in a real browser against a real cluster (scheduler, 2 executors, api serving
 * the built web app): upload, schema roles, building a workflow by drag-and-connect and
 * forms, a live run with results, a refused connection, and a failure shown on its node.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROOT, startCluster, type Cluster } from '../helpers/cluster';
import { connect, dropNode, edgeCount, inspector, launchBrowser, node, select, shot } from './browser';

const PENGUINS = path.join(ROOT, 'examples', 'datasets', 'penguins.csv');
const DIABETES = path.join(ROOT, 'examples', 'datasets', 'diabetes.csv');

describe('web canvas (Chromium)', function () {
  this.timeout(300_000);
  let cluster: Cluster | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  let datasetId = '';
  const ids: Record<string, string> = {};

  before(async function () {
    browser = await launchBrowser();
    cluster = await startCluster({ executors: 2 });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(cluster.url);
  });

  /** GETs an api path with the page's access token (when the server wants one). */
  async function apiGet<T>(p: string): Promise<T> {
    const raw = await page.evaluate<string | null>("localStorage.getItem('weft.auth')");
    const token = raw ? (JSON.parse(raw) as { accessToken?: string }).accessToken : undefined;
    const res = await fetch(`${cluster!.url}${p}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    assert.equal(res.status, 200, `GET ${p}`);
    return (await res.json()) as T;
  }

  after(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed' && page) return shot(page, `failure-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 60)}`).catch(() => undefined);
  });

  it('signs in when the api asks for it (the local owner, or a new account), else goes straight in', async () => {
    const signIn = page.getByRole('heading', { name: 'Sign in to Weft' });
    const app = page.getByRole('navigation', { name: 'Main' });
    // Ask the api whether it wants a sign-in (racing the two screens was flaky: the app shell can
    // show before the first 401 turns it into the sign-in screen).
    const needsAuth = (await fetch(`${cluster!.url}/api/auth/me`)).status === 401;
    if (needsAuth) {
      await signIn.waitFor();
      await shot(page, '00-sign-in');
      const credFile = path.join(cluster!.dataDir, 'credentials.json');
      if (fs.existsSync(credFile)) {
        const cred = JSON.parse(fs.readFileSync(credFile, 'utf8')) as { email: string; password: string };
        await page.getByLabel('Email').fill(cred.email);
        await page.getByLabel('Password').fill(cred.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
      } else {
        await page.getByRole('button', { name: 'Create an account' }).click();
        await page.getByLabel('Name').fill('Ada Browser');
        await page.getByLabel('Email').fill(`ada-${Date.now()}@example.com`);
        await page.getByLabel('Password').fill('correct horse battery');
        await page.getByRole('button', { name: 'Create account' }).click();
      }
    }
    await app.waitFor();
  });

  it('uploads penguins.csv with a progress bar and marks Species as the target', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Datasets', exact: true }).click();
    await page.getByText('No datasets yet').waitFor();
    await shot(page, '01-datasets-empty');
    await page.locator('input[type=file][aria-label="Upload CSV"]').setInputFiles(PENGUINS);
    await page.getByRole('heading', { name: 'penguins' }).waitFor({ timeout: 30_000 });
    datasetId = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');
    assert.match(datasetId, /^ds_/);
    const table = page.getByRole('table', { name: 'Schema' });
    await table.waitFor();
    assert.equal(await table.locator('tbody tr').count(), 7);
    // Missing counts from the profile are in the table (Sex has missing values in penguins).
    assert.notEqual((await table.locator('tr[data-column="Sex"] td.num').first().innerText()).trim(), '0');

    await page.getByLabel('Role of Species').selectOption('target');
    await table.locator('tr[data-column="Species"].role-target').waitFor();
    assert.match(await page.locator('.content-head').innerText(), /target: Species/);
    await shot(page, '02-datasets-schema');

    // The change is stored, not just shown.
    const stored = await apiGet<{ schema: { columns: Array<{ name: string; role: string }> } }>(`/api/datasets/${datasetId}`);
    assert.equal(stored.schema.columns.find((c) => c.name === 'Species')?.role, 'target');

    // A type change that needs a re-upload is refused with a readable message.
    await page.getByLabel('Type of Island').selectOption('integer');
    await page.getByRole('alert').filter({ hasText: /cannot be read as integer|needs a new upload/ }).waitFor();

    await page.getByRole('tab', { name: 'Profile' }).click();
    await page.locator('[aria-label="Profile of Beak Length (mm)"] .recharts-bar-rectangle').first().waitFor();
    await page.locator('[aria-label="Profile of Island"] .recharts-bar-rectangle').first().waitFor();
    await shot(page, '03-datasets-profile');

    await page.getByRole('tab', { name: 'Correlations' }).click();
    const heat = page.getByRole('table', { name: 'Correlation heatmap' });
    await heat.waitFor();
    assert.ok((await heat.getByRole('cell').count()) >= 16, 'a correlation cell per numeric pair');
    await shot(page, '04-datasets-correlations');
  });

  it('builds Dataset → Split → Impute → One-hot → Scale → Logistic regression → Evaluate by UI actions, runs it, and shows accuracy > 0.9 with a confusion matrix', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Canvas', exact: true }).click();
    await page.locator('.palette-item[data-node-type="dataset"]').waitFor();
    // The palette comes from the catalogue: every type the api lists is there.
    const catalogue = await apiGet<Array<{ type: string }>>('/api/catalogue');
    assert.equal(await page.locator('.palette-item').count(), catalogue.length);
    await shot(page, '05-canvas-empty');

    const layout: Array<[string, string, number, number]> = [
      ['dataset', 'dataset', 110, 60],
      ['split', 'split', 335, 60],
      ['impute', 'impute', 560, 60],
      ['one_hot', 'one_hot', 110, 290],
      ['scale', 'scale', 335, 290],
      ['model', 'logistic_regression', 560, 290],
      ['evaluate', 'evaluate', 335, 500],
    ];
    for (const [key, type, x, y] of layout) ids[key] = await dropNode(page, type, x, y);
    assert.equal(await page.locator('.react-flow__node').count(), 7);

    // Forms generated from each node's JSON Schema: the dataset and its target from lists…
    await select(page, ids.dataset!);
    await inspector(page).locator('select[aria-label="Dataset"]').selectOption(datasetId);
    const target = inspector(page).locator('select[aria-label="Target"]');
    await target.locator('option[value="Species"]').waitFor({ state: 'attached' });
    if ((await target.inputValue()) !== 'Species') await target.selectOption('Species');
    assert.equal(await target.inputValue(), 'Species', 'the target marked on the Datasets screen is preselected');

    // …numbers with bounds and inline validation…
    await select(page, ids.split!);
    const fraction = inspector(page).locator('input[aria-label="Test fraction"]');
    assert.equal(await fraction.inputValue(), '0.2', 'defaults come from the schema');
    await fraction.fill('1.5');
    await inspector(page).getByRole('alert').filter({ hasText: 'Must be < 1' }).first().waitFor();
    await fraction.fill('0.25');
    await inspector(page).getByText('Must be < 1').waitFor({ state: 'detached' });

    // …enums as selects.
    await select(page, ids.impute!);
    await inspector(page).locator('select[aria-label="Strategy"]').selectOption('median');
    await select(page, ids.model!);
    await inspector(page).locator('input[aria-label="Max iter"]').fill('200');

    await connect(page, ids.dataset!, 'table', ids.split!, 'table');
    await connect(page, ids.split!, 'split', ids.impute!, 'split');
    await connect(page, ids.impute!, 'split', ids.one_hot!, 'split');
    await connect(page, ids.one_hot!, 'split', ids.scale!, 'split');
    await connect(page, ids.scale!, 'split', ids.model!, 'split');
    await connect(page, ids.model!, 'model', ids.evaluate!, 'model');
    assert.equal(await edgeCount(page), 6);

    // The server agrees the workflow is valid.
    await page.getByLabel('Validation status').filter({ hasText: 'Valid' }).waitFor();
    await page.getByLabel('Workflow name').fill('Penguins species');
    await page.getByRole('button', { name: 'Save workflow' }).click();
    await page.getByText('Saved “Penguins species”').waitFor();
    await page.locator('.react-flow__pane').click({ position: { x: 60, y: 470 } });
    await shot(page, '06-canvas-built');

    await page.getByRole('button', { name: 'Run workflow' }).click();
    // Every node shows its live state from the moment the job is accepted.
    await page.locator('.wnode[data-run-state="queued"], .wnode[data-run-state="running"]').first().waitFor();
    await shot(page, '06b-canvas-running');
    const acc = node(page, ids.evaluate!).locator(`[aria-label="accuracy of ${ids.evaluate}"] strong`);
    await acc.waitFor({ timeout: 120_000 });
    const accuracy = Number(await acc.innerText());
    assert.ok(accuracy > 0.9, `accuracy ${accuracy} should be above 0.9`);
    for (const id of Object.values(ids)) assert.equal(await node(page, id).locator('.wnode').getAttribute('data-run-state'), 'completed', `node ${id} done`);

    // The evaluate node's results open in the inspector: metrics and a 3×3 confusion matrix.
    await select(page, ids.evaluate!);
    const results = inspector(page).getByRole('tab', { name: 'Results' });
    if ((await results.getAttribute('aria-selected')) !== 'true') await results.click();
    const cm = inspector(page).getByRole('table', { name: 'Confusion matrix' });
    await cm.waitFor();
    const cells = await cm.getByRole('cell').allInnerTexts();
    assert.equal(cells.length, 9, 'a 3-class confusion matrix');
    const total = cells.reduce((a, c) => a + Number(c), 0);
    assert.ok(total > 50 && total < 120, `confusion matrix counts the test rows (${total})`);
    const metricAcc = Number(await inspector(page).locator('tr[data-metric="accuracy"] td strong').innerText());
    assert.ok(Math.abs(metricAcc - accuracy) < 1e-3);
    await inspector(page).getByRole('figure', { name: 'Training loss curve' }).locator('.recharts-line-curve').waitFor();
    await shot(page, '07-canvas-results');

    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.locator('.react-flow__controls-fitview').click();
    await shot(page, '08-canvas-results-1920');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.locator('.react-flow__controls-fitview').click();
  });

  it('lists jobs with state, duration and best metric', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs', exact: true }).click();
    const row = page.getByRole('table', { name: 'Jobs' }).locator('tbody tr').first();
    await row.waitFor();
    assert.match(await row.innerText(), /Penguins species[\s\S]*completed[\s\S]*\d+(\.\d+)? (ms|s)[\s\S]*0\.9\d+ accuracy|Penguins species[\s\S]*completed[\s\S]*1\.0000 accuracy/);
    await page.locator('aside[aria-label="Job detail"]').getByRole('table', { name: 'Confusion matrix' }).first().waitFor();
    await shot(page, '09-jobs');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await shot(page, '10-jobs-1920');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('deletes a node with the keyboard, undoes and redoes it, and shows a failing job’s error on the node at fault', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Canvas', exact: true }).click();
    await page.locator('.react-flow__controls-fitview').click();
    await select(page, ids.impute!);
    await page.keyboard.press('Delete');
    await node(page, ids.impute!).waitFor({ state: 'detached' });
    assert.equal(await edgeCount(page), 4);
    await page.keyboard.press('Control+z');
    await node(page, ids.impute!).waitFor();
    assert.equal(await edgeCount(page), 6);
    await page.keyboard.press('Control+Shift+z');
    await node(page, ids.impute!).waitFor({ state: 'detached' });

    await connect(page, ids.split!, 'split', ids.one_hot!, 'split');
    assert.equal(await edgeCount(page), 5);
    await page.getByLabel('Validation status').filter({ hasText: 'Valid' }).waitFor();
    await page.getByRole('button', { name: 'Run workflow' }).click();

    const err = node(page, ids.model!).getByRole('alert', { name: `Error of ${ids.model}` });
    await err.waitFor({ timeout: 120_000 });
    assert.match(await err.innerText(), /MISSING_VALUES_REACH_MODEL/);
    assert.equal(await node(page, ids.model!).locator('.wnode').getAttribute('data-run-state'), 'failed');
    // Only the node at fault is failed (the scheduler blames it by id): the pipeline's other
    // nodes are cancelled, not blamed.
    const states: Record<string, string | null> = {};
    for (const [key, id] of Object.entries(ids)) if (key !== 'impute') states[key] = await node(page, id).locator('.wnode').getAttribute('data-run-state');
    assert.deepEqual(Object.entries(states).filter(([, st]) => st === 'failed').map(([k]) => k), ['model'], `node states ${JSON.stringify(states)}`);
    assert.equal(states.split, 'cancelled', 'cancelled by the node_state events, not "stopped" by parsing the message');
    assert.equal(await page.locator('.wnode[data-run-state="failed"]').count(), 1);
    await inspector(page).getByText('MISSING_VALUES_REACH_MODEL').first().waitFor();
    await shot(page, '11-canvas-failed');
  });

  it('refuses a connection between ports of different types', async () => {
    await page.getByRole('button', { name: 'New workflow' }).click();
    await page.locator('.react-flow__node').first().waitFor({ state: 'detached' });
    const ds = await dropNode(page, 'dataset', 120, 120);
    const ev = await dropNode(page, 'evaluate', 520, 160);
    await connect(page, ds, 'table', ev, 'model');
    await page.getByText(/Connection refused: Dataset outputs table, but Evaluate takes model/).waitFor();
    assert.equal(await edgeCount(page), 0);
    // Missing inputs are reported by the server on the node at fault.
    await node(page, ev).getByLabel(`Problems of ${ev}`).filter({ hasText: 'MISSING_INPUT' }).waitFor();
    await shot(page, '12-canvas-invalid-connection');

    // The jobs list now holds the completed and the failed run.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs', exact: true }).click();
    const rows = page.getByRole('table', { name: 'Jobs' }).locator('tbody tr');
    await rows.nth(1).waitFor();
    assert.match(await rows.nth(0).innerText(), /failed[\s\S]*MISSING_VALUES_REACH_MODEL/);
    await shot(page, '12b-jobs-with-failure');
  });

  it('runs a regression (diabetes, linear regression) with residuals vs predicted, and shows a gradient boosting model’s feature importances', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Datasets', exact: true }).click();
    await page.locator('input[type=file][aria-label="Upload CSV"]').setInputFiles(DIABETES);
    await page.getByRole('heading', { name: 'diabetes' }).waitFor({ timeout: 30_000 });
    const diabetesId = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');
    assert.match(diabetesId, /^ds_/);

    // The example workflow, on the uploaded dataset, plus a small gradient boosting model.
    const graph = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'workflows', 'diabetes.json'), 'utf8')) as {
      name: string;
      nodes: Array<{ id: string; type: string; params: Record<string, unknown>; position: { x: number; y: number } }>;
      edges: Array<{ source: string; target: string }>;
    };
    graph.name = 'Diabetes regression';
    graph.nodes.find((n) => n.type === 'dataset')!.params.datasetId = diabetesId;
    graph.nodes.push(
      { id: 'gbm', type: 'gradient_boosting_regressor', params: { nEstimators: 20, maxDepth: 3, learningRate: 0.3 }, position: { x: 880, y: 200 } },
      { id: 'evaluate_gbm', type: 'evaluate', params: {}, position: { x: 1100, y: 200 } },
    );
    graph.edges.push({ source: 'scale', target: 'gbm' }, { source: 'gbm', target: 'evaluate_gbm' });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Canvas', exact: true }).click();
    await page.locator('input[type=file][aria-label="Import workflow file"]').setInputFiles({ name: 'diabetes.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(graph)) });
    await node(page, 'gbm').waitFor();
    assert.equal(await edgeCount(page), graph.edges.length);
    await page.getByLabel('Validation status').filter({ hasText: 'Valid' }).waitFor();
    await page.getByRole('button', { name: 'Run workflow' }).click();

    const r2 = node(page, 'evaluate').locator('[aria-label="r2 of evaluate"] strong');
    await r2.waitFor({ timeout: 120_000 });
    assert.ok(Number(await r2.innerText()) > 0.2, `linear regression R² ${await r2.innerText()}`);
    await node(page, 'evaluate_gbm').locator('[aria-label="r2 of evaluate_gbm"]').waitFor({ timeout: 120_000 });

    // The evaluator of the linear model: R² and a residuals-vs-predicted scatter of every test row.
    await select(page, 'evaluate');
    const results = inspector(page).getByRole('tab', { name: 'Results' });
    if ((await results.getAttribute('aria-selected')) !== 'true') await results.click();
    await inspector(page).locator('tr[data-metric="r2"]').waitFor();
    const residuals = inspector(page).getByRole('figure', { name: 'Residuals vs predicted' });
    await residuals.locator('.recharts-scatter-symbol').first().waitFor();
    const dots = await residuals.locator('.recharts-scatter-symbol').count();
    assert.ok(dots > 50 && dots <= 1000, `a dot per test row (${dots})`);
    await shot(page, '12d-canvas-regression-residuals');

    // The gradient boosting model's own results: feature importances as bars (top 20 at most).
    await select(page, 'gbm');
    const gbmResults = inspector(page).getByRole('tab', { name: 'Results' });
    if ((await gbmResults.getAttribute('aria-selected')) !== 'true') await gbmResults.click();
    const importance = inspector(page).getByRole('figure', { name: 'Feature importance' });
    await importance.locator('.recharts-bar-rectangle').first().waitFor();
    const bars = await importance.locator('.recharts-bar-rectangle').count();
    assert.ok(bars >= 2 && bars <= 10, `a bar per diabetes feature (${bars})`);
    await shot(page, '12e-canvas-feature-importance');
  });

  it('the preprocessing nodes of issue 4 are in the palette with forms from their schemas (feature checkboxes, bounds, smoothing)', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Canvas', exact: true }).click();
    await page.getByRole('button', { name: 'New workflow' }).click();
    await page.locator('.react-flow__node').first().waitFor({ state: 'detached' });
    for (const type of ['ordinal', 'target_encode', 'datetime_features', 'clip', 'variance_threshold']) await page.locator(`.palette-item[data-node-type="${type}"]`).waitFor();
    const dt = await dropNode(page, 'datetime_features', 140, 120);
    await select(page, dt);
    // A list of fixed choices is a set of checkboxes, the schema's default ticked.
    const features = inspector(page).getByRole('group', { name: 'Features' });
    assert.equal(await features.getByRole('checkbox').count(), 11);
    assert.equal(await features.getByLabel('day of week', { exact: true }).isChecked(), true);
    assert.equal(await features.getByLabel('epoch seconds', { exact: true }).isChecked(), false);
    await features.getByLabel('epoch seconds', { exact: true }).check();
    assert.equal(await features.getByLabel('epoch seconds', { exact: true }).isChecked(), true);
    assert.equal(await features.getByLabel('year', { exact: true }).isChecked(), true, 'ticking one keeps the defaults');
    const clip = await dropNode(page, 'clip', 420, 120);
    await select(page, clip);
    await inspector(page).locator('input[aria-label="Upper quantile"]').fill('0.99');
    await inspector(page).locator('input[aria-label="Lower"]').waitFor();
    const te = await dropNode(page, 'target_encode', 140, 320);
    await select(page, te);
    assert.equal(await inspector(page).locator('input[aria-label="Smooth"]').getAttribute('placeholder'), 'auto');
    assert.equal(await inspector(page).locator('input[aria-label="cv"]').getAttribute('placeholder'), '5');
    await shot(page, '12d-canvas-preprocessing-nodes');
  });

  it('imports a workflow JSON file and exports the canvas as JSON', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Canvas', exact: true }).click();
    const file = path.join(ROOT, 'examples', 'workflows', 'iris.json');
    const graph = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: Array<{ id: string }>; edges: unknown[] };
    await page.locator('input[type=file][aria-label="Import workflow file"]').setInputFiles(file);
    await node(page, graph.nodes[0]!.id).waitFor();
    assert.equal(await page.locator('.react-flow__node').count(), graph.nodes.length);
    assert.equal(await edgeCount(page), graph.edges.length);
    // Picking the dataset of an imported workflow (its datasetId is "") keeps the imported target
    // (regression: any dataset change wiped target/features/ignore/columns).
    await node(page, graph.nodes[0]!.id).click();
    await inspector(page).locator('select[aria-label="Dataset"]').selectOption(datasetId);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export workflow JSON' }).click()]);
    const exported = JSON.parse(fs.readFileSync((await download.path())!, 'utf8')) as { nodes: Array<{ id: string; type: string; params: Record<string, unknown> }>; edges: unknown[] };
    assert.equal(exported.nodes[0]!.params.datasetId, datasetId);
    assert.equal(exported.nodes[0]!.params.target, 'species');
    assert.deepEqual(exported.nodes.map((n) => n.id), graph.nodes.map((n) => n.id));
    assert.equal(exported.edges.length, graph.edges.length);
    await shot(page, '12c-canvas-imported');
  });

  it('shows the sign-in screen when the api answers 401 UNAUTHENTICATED', async () => {
    const p = await context.newPage();
    await p.route('**/api/**', (route) =>
      route.request().url().includes('/api/auth/login')
        ? route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'Wrong email or password' } }) })
        : route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'Sign in first' } }) }),
    );
    await p.goto(cluster!.url);
    await p.getByRole('heading', { name: 'Sign in to Weft' }).waitFor();
    await p.getByLabel('Email').fill('ada@example.com');
    await p.getByLabel('Password').fill('wrong');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByText('Wrong email or password').waitFor();
    await shot(p, '13-sign-in');
    await p.close();
  });

  it('raised no uncaught errors in the page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
