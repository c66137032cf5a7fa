#!/usr/bin/env node
/**
 * Container health probe, for images without curl or nc (docker-compose healthchecks,
 * Kubernetes exec probes). Exits 0 when the target answers within the timeout, 1 otherwise.
 *
 *   node packages/common/dist/probe.js tcp [HOST:PORT]   default: WEFT_SCHEDULER_URL
 *   node packages/common/dist/probe.js http URL          2xx answers are healthy
 *
 * WEFT_PROBE_TIMEOUT_MS: give up after this many milliseconds (default 2000).
 */
import * as net from 'node:net';

function tcp(target: string, timeoutMs: number): Promise<void> {
  const m = /^(?:[a-z]+:\/\/)?\[?([^\]]+?)\]?:(\d+)$/.exec(target);
  if (!m) return Promise.reject(new Error(`not HOST:PORT: ${target}`));
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: m[1]!, port: Number(m[2]), timeout: timeoutMs });
    s.once('connect', () => {
      s.destroy();
      resolve();
    });
    s.once('timeout', () => {
      s.destroy();
      reject(new Error(`no answer from ${target} within ${timeoutMs} ms`));
    });
    s.once('error', reject);
  });
}

async function http(url: string, timeoutMs: number): Promise<void> {
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (r.status < 200 || r.status > 299) throw new Error(`${url} answered ${r.status}`);
}

async function main(argv: string[]): Promise<number> {
  const timeoutMs = Number(process.env.WEFT_PROBE_TIMEOUT_MS ?? 2_000);
  const [kind, target] = argv;
  try {
    if (kind === 'tcp') await tcp(target ?? process.env.WEFT_SCHEDULER_URL ?? '127.0.0.1:7070', timeoutMs);
    else if (kind === 'http' && target) await http(target, timeoutMs);
    else throw new Error('usage: probe.js tcp [HOST:PORT] | http URL');
    return 0;
  } catch (err) {
    process.stderr.write(`probe failed: ${(err as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
