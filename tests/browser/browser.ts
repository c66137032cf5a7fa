/**
 * Browser-test fixture: Debian's Chromium driven by playwright-core, and canvas gestures
 * (drag from the palette, connect two handles) done with real pointer input.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { ROOT } from '../helpers/cluster';

export const CHROMIUM = process.env.WEFT_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(ROOT, 'test-artifacts', 'screenshots');
const WEB_INDEX = path.join(ROOT, 'packages', 'web', 'dist', 'index.html');

/**
 * Launches headless Chromium.
 * @throws Error naming what to install or build when Chromium or the web build is missing
 */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: the browser tests need it. Install it with \`apt-get install -y chromium\` (.ci/run does), or set WEFT_CHROMIUM.`);
  }
  if (!fs.existsSync(WEB_INDEX)) throw new Error(`The web app is not built (${WEB_INDEX} missing): run \`npm run build -w @weft/web\`.`);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/** The canvas node with workflow id `id`. */
export const node = (page: Page, id: string): Locator => page.locator(`.react-flow__node[data-id="${id}"]`);

/** Drags a node type from the palette onto the canvas at (x, y) of the pane; returns the new node's id. */
export async function dropNode(page: Page, type: string, x: number, y: number): Promise<string> {
  const before = await page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
  await page.dragAndDrop(`.palette-item[data-node-type="${type}"]`, '.flow .react-flow__pane', { targetPosition: { x, y } });
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const after = await page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    const added = after.filter((id) => !before.includes(id));
    if (added.length === 1) return added[0]!;
    await page.waitForTimeout(50);
  }
  throw new Error(`dropping a "${type}" node from the palette added no node`);
}

async function centre(l: Locator): Promise<{ x: number; y: number }> {
  await l.waitFor({ state: 'visible' });
  const b = await l.boundingBox();
  assert.ok(b, 'handle has no box');
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** Drags with the mouse from an output handle to an input handle. */
export async function connect(page: Page, source: string, sourcePort: string, target: string, targetPort: string): Promise<void> {
  const from = await centre(node(page, source).locator(`.react-flow__handle.source[data-handleid="${sourcePort}"]`));
  const to = await centre(node(page, target).locator(`.react-flow__handle.target[data-handleid="${targetPort}"]`));
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 8 });
  await page.mouse.move(to.x, to.y, { steps: 8 });
  await page.mouse.up();
}

/** Selects a canvas node by clicking its title. */
export async function select(page: Page, id: string): Promise<void> {
  await node(page, id).locator('.wnode-title').click();
  await page.locator('aside[aria-label="Inspector"] code', { hasText: id }).first().waitFor();
}

export const inspector = (page: Page): Locator => page.locator('aside[aria-label="Inspector"]');
export const edgeCount = (page: Page): Promise<number> => page.locator('.react-flow__edge').count();
