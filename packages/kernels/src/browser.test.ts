// Node/browser parity: the same kernels.wasm (embedded in the compiled kernels) must give
// bit-identical predictions in Node and in headless Chromium (issue 4, "Fidelity").
//
// The compiled CommonJS kernels (dist/) are inlined into one script by a tiny require shim
// (no bundler needed: the non-test modules have only relative requires), served from a
// loopback HTTP server, and the same scenario function runs in the page and in Node.
// Every Float64Array / Int32Array result is compared byte for byte as hex.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import * as kernels from './index.js';
import { WASM_SHA256 } from './generated/wasm.js';

const CHROMIUM = process.env.WEFT_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const DIST = __dirname;

/**
 * Inlines dist/index.js and every module it reaches through relative `require`s into one
 * browser script that defines `globalThis.weftRequire(id)` (id relative to dist/, e.g.
 * 'index.js') and `globalThis.weftKernels`. Throws on a non-relative require: the kernels
 * must stay free of Node built-ins and packages.
 */
export function bundleKernels(distDir: string = DIST, entry = 'index.js'): string {
  const order: string[] = [];
  const sources = new Map<string, { code: string; deps: Record<string, string> }>();
  const visit = (id: string): void => {
    if (sources.has(id)) return;
    const file = path.join(distDir, id);
    const code = fs.readFileSync(file, 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, '');
    const deps: Record<string, string> = {};
    sources.set(id, { code, deps });
    for (const m of code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
      const spec = m[1]!;
      if (!spec.startsWith('.')) throw new Error(`${id} requires "${spec}": kernels may only require their own modules (no I/O, browser-safe)`);
      let dep = path.posix.normalize(path.posix.join(path.posix.dirname(id), spec));
      if (!dep.endsWith('.js')) dep += '.js';
      deps[spec] = dep;
      visit(dep);
    }
    order.push(id);
  };
  visit(entry);
  const defs = order
    .map((id) => {
      const { code, deps } = sources.get(id)!;
      return `${JSON.stringify(id)}: [${JSON.stringify(deps)}, function (module, exports, require) {\n${code}\n}]`;
    })
    .join(',\n');
  return `(function () {
'use strict';
var defs = {
${defs}
};
var cache = {};
function load(id) {
  if (cache[id]) return cache[id].exports;
  var def = defs[id];
  if (!def) throw new Error('weft bundle: no module ' + id);
  var module = { exports: {} };
  cache[id] = module;
  def[1](module, module.exports, function (spec) { return load(def[0][spec]); });
  return module.exports;
}
globalThis.weftRequire = load;
globalThis.weftKernels = load(${JSON.stringify(entry)});
})();
`;
}

type Kernels = typeof kernels;

/**
 * Trains logistic regression (L-BFGS and Adam), gradient boosting, k-means, two MLPs and
 * Gaussian naive Bayes on a seeded synthetic set and returns every prediction as hex of the
 * typed array's bytes. Self-contained (it is serialised with toString() and run in the page
 * against the bundled kernels), so it must use nothing but its argument and JS built-ins.
 */
function scenario(K: Kernels): Record<string, string> {
  const hex = (a: Float64Array | Float32Array | Int32Array): string => {
    const b = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    let s = '';
    for (let i = 0; i < b.length; i++) s += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
    return s;
  };
  const d = 8;
  const nTr = 1500;
  const nTe = 500;
  const tr = K.syntheticClassification(nTr, d, 11);
  const te = K.syntheticClassification(nTe, d, 12);
  const out: Record<string, string> = {};

  const lr = K.LogisticRegression.fit(tr.X, nTr, d, tr.y, { C: 1.0, maxIter: 100 });
  out['logreg-lbfgs.proba'] = hex(lr.predictProba(te.X, nTe));
  out['logreg-lbfgs.pred'] = hex(lr.predict(te.X, nTe));

  const lrAdam = K.LogisticRegression.fit(tr.X, nTr, d, tr.y, { solver: 'adam', epochs: 5, batchSize: 64, seed: 3 });
  out['logreg-adam.proba'] = hex(lrAdam.predictProba(te.X, nTe));

  const gb = K.GradientBoostingClassifier.fit(tr.X, nTr, d, tr.y, { nEstimators: 20, maxDepth: 4, learningRate: 0.2, subsample: 0.8, colsampleByTree: 0.8, seed: 5 });
  out['gbdt.proba'] = hex(gb.predictProba(te.X, nTe));
  out['gbdt.pred'] = hex(gb.predict(te.X, nTe));

  const km = K.KMeans.fit(tr.X, nTr, d, { nClusters: 5, nInit: 2, seed: 7 });
  out['kmeans.centers'] = hex(km.centers);
  out['kmeans.inertia'] = hex(Float64Array.of(km.inertia));
  out['kmeans.pred'] = hex(km.predict(te.X, nTe));
  out['kmeans.score'] = hex(Float64Array.of(km.score(te.X, nTe)));

  const mlp = K.MLPClassifier.fit(tr.X, nTr, d, tr.y, { hiddenLayerSizes: [16, 8], activation: 'tanh', maxIter: 15, batchSize: 50, seed: 9 });
  out['mlp-tanh.proba'] = hex(mlp.predictProba(te.X, nTe));
  out['mlp-tanh.pred'] = hex(mlp.predict(te.X, nTe));
  const mlpRelu = K.MLPClassifier.fit(tr.X, nTr, d, tr.y, { hiddenLayerSizes: [24], activation: 'relu', maxIter: 10, earlyStopping: true, seed: 2 });
  out['mlp-relu.proba'] = hex(mlpRelu.predictProba(te.X, nTe));

  // three classes (softmax heads): the binary label plus one more split on feature 3
  const y3 = (x: Float32Array, y: Int32Array): Int32Array => Int32Array.from(y, (v, i) => v + (x[i * d + 3]! > 0.5 ? 1 : 0));
  const ytr3 = y3(tr.X, tr.y);
  const lr3 = K.LogisticRegression.fit(tr.X, nTr, d, ytr3, { C: 0.5, maxIter: 100 });
  out['logreg-3class.proba'] = hex(lr3.predictProba(te.X, nTe));
  const gb3 = K.GradientBoostingClassifier.fit(tr.X, nTr, d, ytr3, { nEstimators: 10, maxDepth: 3, seed: 4 });
  out['gbdt-3class.proba'] = hex(gb3.predictProba(te.X, nTe));
  const mlp3 = K.MLPClassifier.fit(tr.X, nTr, d, ytr3, { hiddenLayerSizes: [12], maxIter: 8, seed: 6 });
  out['mlp-3class.proba'] = hex(mlp3.predictProba(te.X, nTe));
  out['gaussian-nb-3class.proba'] = hex(K.GaussianNB.fit(tr.X, nTr, d, ytr3).predictProba(te.X, nTe));

  const nb = K.GaussianNB.fit(tr.X, nTr, d, tr.y);
  out['gaussian-nb.proba'] = hex(nb.predictProba(te.X, nTe));
  out['gaussian-nb.pred'] = hex(nb.predict(te.X, nTe));
  return out;
}

function firstDiff(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}

describe('kernels: Node and headless Chromium give bit-identical results (browser.test)', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let server: http.Server | undefined;
  let base = '';

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: the kernels' Node/browser parity test needs it. ` +
          'Install it with `apt-get install -y chromium` (CI does), or set WEFT_CHROMIUM to a Chromium binary.',
      );
    }
    const bundle = bundleKernels();
    const html = '<!doctype html><meta charset="utf-8"><title>weft kernels parity</title><script src="/kernels.js"></script>';
    server = http.createServer((req, res) => {
      if (req.url === '/' || req.url === '/index.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      } else if (req.url === '/kernels.js') {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(bundle);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(0, '127.0.0.1', resolve);
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async function () {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('runs the same wasm and the same training scenario, with byte-identical predictions', async function () {
    const page = await browser!.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(`${base}/`);
    assert.deepEqual(pageErrors, [], `the kernels bundle failed to load in Chromium: ${pageErrors.join('; ')}`);

    const inPage = await page.evaluate(`(() => {
      const gen = globalThis.weftRequire('generated/wasm.js');
      return { sha: gen.WASM_SHA256, ua: navigator.userAgent, node: typeof process !== 'undefined' };
    })()`) as { sha: string; ua: string; node: boolean };
    assert.equal(inPage.node, false, 'the page must be a real browser context (no process global)');
    assert.match(inPage.ua, /Chrome\//);
    assert.equal(inPage.sha, WASM_SHA256, 'the page must embed the same kernels.wasm as Node');

    const browserOut = (await page.evaluate(`(${scenario.toString()})(globalThis.weftKernels)`)) as Record<string, string>;
    const nodeOut = scenario(kernels);
    await page.close();

    assert.deepEqual(Object.keys(browserOut).sort(), Object.keys(nodeOut).sort());
    const mismatches: string[] = [];
    for (const key of Object.keys(nodeOut)) {
      const a = nodeOut[key]!;
      const b = browserOut[key]!;
      assert.ok(a.length > 0, `${key}: empty result`);
      if (a !== b) {
        const at = firstDiff(a, b);
        mismatches.push(`${key}: first differing byte ${at >> 1} (node ${a.slice(at & ~15, (at & ~15) + 16)} vs chromium ${b.slice(at & ~15, (at & ~15) + 16)}, lengths ${a.length / 2}/${b.length / 2})`);
      }
    }
    assert.deepEqual(mismatches, [], `Node and Chromium differ:\n${mismatches.join('\n')}`);
  });

  it('has a bundle free of Node built-ins (only relative requires)', function () {
    // bundleKernels throws on any non-relative require; the page load above already ran it.
    assert.doesNotThrow(() => bundleKernels());
  });
});
