/**
 * Slow uploads: a client that stalls mid-body or trickles a few bytes at a time must not hold
 * a connection and a temp file forever. Raw sockets send part of a body, then stall or trickle;
 * the api answers 408 UPLOAD_TIMEOUT (WEFT_UPLOAD_IDLE_TIMEOUT_MS) and leaves no temp file.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { SERVER_HEADERS_TIMEOUT_MS, SERVER_REQUEST_TIMEOUT_MS } from './server.js';
import { startTestApi, type TestApi } from './test-support.js';

const IDLE_MS = 1_500;

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: any;
}

/** Opens a socket to the api and returns it with a promise of the (first) full HTTP response. */
function open(t: TestApi): { sock: net.Socket; response: Promise<RawResponse> } {
  const sock = net.connect(t.api.port, '127.0.0.1');
  const response = new Promise<RawResponse>((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => reject(new Error(`no response in time; got: ${buf.toString()}`)), 20_000);
    const tryParse = (final: boolean) => {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (final) reject(new Error(`connection closed without a response; got: ${buf.toString()}`));
        return;
      }
      const [statusLine, ...lines] = buf.subarray(0, end).toString().split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const len = Number(headers['content-length'] ?? NaN);
      const body = buf.subarray(end + 4);
      if (Number.isFinite(len) ? body.length < len : !final) return;
      clearTimeout(timer);
      const text = body.subarray(0, Number.isFinite(len) ? len : body.length).toString();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: the assertion below shows it
      }
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body: parsed });
    };
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      tryParse(false);
    });
    sock.on('close', () => tryParse(true));
    sock.on('error', () => undefined);
  });
  return { sock, response };
}

function tmpFiles(t: TestApi): string[] {
  const dir = path.join(t.dataDir, 'tmp');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.startsWith('upload-')) : [];
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

const BOUNDARY = '----weftslowupload';

function multipartHead(t: TestApi, contentLength: number): string {
  return (
    `POST /api/datasets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t.apiKey}\r\n` +
    `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${contentLength}\r\n\r\n` +
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="slow.csv"\r\nContent-Type: text/csv\r\n\r\n`
  );
}

function assertTimedOut(r: RawResponse): void {
  assert.equal(r.status, 408, JSON.stringify(r.body));
  assert.match(r.headers['content-type'] ?? '', /application\/json/);
  assert.equal(r.body?.error?.code, 'UPLOAD_TIMEOUT', JSON.stringify(r.body));
  assert.equal(typeof r.body.error.message, 'string');
  assert.equal(r.headers.connection, 'close');
}

describe('slow uploads', function () {
  this.timeout(60_000);
  let t: TestApi;
  before(async () => {
    t = await startTestApi({ WEFT_UPLOAD_IDLE_TIMEOUT_MS: String(IDLE_MS) });
  });
  after(async () => {
    await t.close();
  });

  it('sets headers and request timeouts on the HTTP server', () => {
    assert.equal(t.api.server.headersTimeout, SERVER_HEADERS_TIMEOUT_MS);
    assert.equal(t.api.server.requestTimeout, SERVER_REQUEST_TIMEOUT_MS);
    assert.ok(SERVER_HEADERS_TIMEOUT_MS <= SERVER_REQUEST_TIMEOUT_MS);
    assert.equal(t.cfg.uploadIdleTimeoutMs, IDLE_MS);
  });

  it('a multipart upload that stalls mid-body gets 408 UPLOAD_TIMEOUT and its temp file is removed', async () => {
    const { sock, response } = open(t);
    try {
      const started = Date.now();
      sock.write(multipartHead(t, 100_000) + 'a,b\n1,2\n3,');
      // The temp file exists while the body is pending…
      assert.ok(await waitFor(() => tmpFiles(t).length === 1, IDLE_MS - 200), 'the temp file was never created');
      const r = await response;
      assertTimedOut(r);
      assert.ok(Date.now() - started >= IDLE_MS - 100, 'answered before the idle timeout');
      // …and is gone once the upload is refused.
      assert.deepEqual(tmpFiles(t), []);
    } finally {
      sock.destroy();
    }
  });

  it('a multipart upload trickling a few bytes at a time is cut off too', async () => {
    const { sock, response } = open(t);
    const trickle = setInterval(() => sock.writable && sock.write('1,2\n'), 100);
    try {
      sock.write(multipartHead(t, 100_000) + 'a,b\n');
      const r = await response;
      assertTimedOut(r);
      assert.deepEqual(tmpFiles(t), []);
    } finally {
      clearInterval(trickle);
      sock.destroy();
    }
  });

  it('a raw text/csv upload that stalls gets 408 UPLOAD_TIMEOUT with no temp file left', async () => {
    const { sock, response } = open(t);
    try {
      sock.write(
        `POST /api/datasets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t.apiKey}\r\n` +
          `Content-Type: text/csv\r\nContent-Length: 100000\r\n\r\na,b\n1,2\n`,
      );
      const r = await response;
      assertTimedOut(r);
      assert.deepEqual(tmpFiles(t), []);
    } finally {
      sock.destroy();
    }
  });

  it('the server closes the stalled connection after refusing it', async () => {
    const { sock, response } = open(t);
    const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
    sock.write(multipartHead(t, 100_000) + 'a,b\n');
    assertTimedOut(await response);
    await Promise.race([
      closed,
      new Promise((_, reject) => setTimeout(() => reject(new Error('the server kept the connection open')), 10_000)),
    ]);
  });

  it('a prompt upload is unaffected', async () => {
    const form = new FormData();
    form.append('file', new Blob(['a,b\n1,2\n3,4\n'], { type: 'text/csv' }), 'quick.csv');
    const r = await t.fetch('/api/datasets', { method: 'POST', body: form });
    assert.equal(r.status, 201, await r.clone().text());
    assert.deepEqual(tmpFiles(t), []);
  });
});
