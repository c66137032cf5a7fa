/** Serving the built web app with a single-page-app fallback to index.html. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import express, { type Express } from 'express';
import { SWAGGER_INIT_JS } from './openapi.js';

/** The built web app's directory (`@weft/web/dist`), or undefined when it is not built. */
export function defaultWebDir(): string | undefined {
  try {
    const dir = path.join(path.dirname(require.resolve('@weft/web/package.json')), 'dist');
    return fs.existsSync(path.join(dir, 'index.html')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Serves `webDir` at `/`; any other GET that accepts HTML and is not an api path gets
 * index.html (client-side routing). Without a built app, `/` says how to build it.
 */
export function mountWebApp(app: Express, webDir: string | undefined): void {
  if (!webDir) {
    app.get('/', (_req, res) => {
      res.type('text').send('Weft api is running. The web app is not built: run `npm run build -w @weft/web`. API docs: /api/docs/ui\n');
    });
    return;
  }
  const index = path.join(webDir, 'index.html');
  app.use(express.static(webDir, { index: 'index.html', maxAge: '1h', setHeaders: (res, p) => p.endsWith('index.html') && res.setHeader('Cache-Control', 'no-cache') }));
  app.use((req, res, next) => {
    const isApi = req.path.startsWith('/api') || req.path.startsWith('/socket.io') || req.path === '/health';
    if (req.method !== 'GET' || isApi || !req.accepts('html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}

/** Serves swagger-ui-dist's files and the Weft initialiser under /api/docs/assets (if installed). */
export function mountSwaggerAssets(app: Express): void {
  let dir: string | undefined;
  try {
    dir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  } catch {
    dir = undefined;
  }
  // Middleware rather than a route: static assets are not api operations (the OpenAPI coverage test lists routes).
  app.use('/api/docs/assets/weft-init.js', (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.type('application/javascript').send(SWAGGER_INIT_JS);
  });
  if (dir) app.use('/api/docs/assets', express.static(dir, { index: false, maxAge: '1d' }));
}
