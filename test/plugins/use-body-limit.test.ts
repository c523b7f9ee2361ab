import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BODY_LIMITS } from '../../src/plugins/use-body-limit.js';
import { DEMO_BUYER } from '../../src/sandbox/index.js';
import { LOGIN, useHarness } from '../harness.js';

const harness = useHarness();

const MEBIBYTE = 1024 * 1024;
const TOO_LARGE = { status: 413, body: { errors: [{ message: 'Request body too large', extensions: { code: 'REQUEST_ENTITY_TOO_LARGE', requestId: expect.any(String) } }] } };

/** A login whose password pads the JSON body to about `bytes`. */
const paddedLogin = (bytes: number) => JSON.stringify({ query: LOGIN, variables: { input: { email: DEMO_BUYER.email, password: 'x'.repeat(bytes) } } });

const post = async (body: string, headers: Record<string, string> = {}) => {
  const response = await fetch(harness.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.json() };
};

/** A small query padded with an unused variable to about `bytes`. */
const paddedQuery = (bytes: number) => JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(bytes) } });

interface RawReply {
  status: number | undefined;
  connection: string | undefined;
  body: unknown;
}

/** POSTs `body` in 16 KiB chunks with `Transfer-Encoding: chunked`: no Content-Length to go by. */
function postChunked(url: string, body: string, agent?: Agent): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'transfer-encoding': 'chunked' };
    let answered = false;
    const req = request(url, { method: 'POST', headers, ...(agent && { agent }) }, (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, connection: res.headers.connection, body: JSON.parse(text) }));
    });
    // The gateway answers 413 and closes while the rest is still being sent: once answered, a
    // write error is expected.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    let offset = 0;
    const writeMore = () => {
      while (offset < body.length) {
        const chunk = body.slice(offset, (offset += 16 * 1024));
        if (!req.write(chunk)) return void req.once('drain', writeMore);
      }
      req.end();
    };
    writeMore();
  });
}

describe('request body limit', () => {
  it('is 64 KiB', () => {
    expect(DEFAULT_BODY_LIMITS).toEqual({ maxBytes: 64 * 1024 });
  });

  it('answers 413 with a GraphQL error to a 1 MB body announced by Content-Length, without calling BigCommerce', async () => {
    const reply = await post(paddedLogin(MEBIBYTE));
    expect(reply).toEqual({ ...TOO_LARGE, contentType: 'application/json; charset=utf-8' });
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('answers 413 to a 1 MB chunked body, counting the bytes as they arrive, and closes the connection', async () => {
    expect(await postChunked(harness.url, paddedLogin(MEBIBYTE))).toEqual({ ...TOO_LARGE, connection: 'close' });
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('reads bodies just under the limit, chunked or not', async () => {
    expect(await postChunked(harness.url, paddedQuery(60_000))).toEqual({ status: 200, connection: 'keep-alive', body: { data: { __typename: 'Query' } } });
    expect(await post(paddedQuery(60_000))).toEqual({ status: 200, contentType: 'application/json; charset=utf-8', body: { data: { __typename: 'Query' } } });
  });

  it('leaves no unread body on a kept-alive connection: the next request through the same agent is answered', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await postChunked(harness.url, paddedQuery(MEBIBYTE), agent)).status).toBe(413);
      expect(await postChunked(harness.url, paddedQuery(10), agent)).toEqual({ status: 200, connection: 'keep-alive', body: { data: { __typename: 'Query' } } });
    } finally {
      agent.destroy();
    }
  });

  it('counts the bytes of a body given to yoga.fetch in-process, where no socket bounds it', async () => {
    const stream = (text: string) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          const bytes = new TextEncoder().encode(text);
          for (let offset = 0; offset < bytes.length; offset += 16 * 1024) controller.enqueue(bytes.slice(offset, offset + 16 * 1024));
          controller.close();
        },
      });
    const ask = async (body: string) => {
      const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream(body), duplex: 'half' } as RequestInit;
      const response = await harness.gateway.yoga.fetch('http://in-process/graphql', init);
      return { status: response.status, body: await response.json() };
    };
    expect(await ask(paddedLogin(MEBIBYTE))).toEqual(TOO_LARGE);
    expect(await ask(paddedQuery(60_000))).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('answers 400, BAD_REQUEST, to a Content-Length that is not one non-negative integer', async () => {
    for (const contentLength of ['-1', '1,1', '0x10', 'ten']) {
      const response = await harness.gateway.yoga.fetch('http://in-process/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': contentLength },
        body: paddedQuery(10),
      });
      expect(response.status, contentLength).toBe(400);
      expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    }
  });

  it('reads no more than Content-Length over HTTP: a body longer than announced is cut there, never a 5xx', async () => {
    const { port } = new URL(harness.url);
    const body = paddedQuery(MEBIBYTE);
    const head = `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end(head + body));
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('close', () => resolve(text));
      socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? resolve(text) : reject(error)));
    });
    // The request gets its 100 bytes; Node's parser takes the rest for a next request, answers
    // that 400 and closes the connection.
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).not.toMatch(/HTTP\/1\.1 5\d\d/);
    expect(harness.sandbox.requests).toEqual([]);
    expect((await post(paddedQuery(10))).status).toBe(200);
  });

  it('refuses a batch (an array body) with 400, running none of its operations', async () => {
    const login = { query: LOGIN, variables: { input: { email: DEMO_BUYER.email, password: 'guess' } } };
    const reply = await post(JSON.stringify([login, login, login]));
    expect(reply).toEqual({
      status: 400,
      contentType: 'application/json; charset=utf-8',
      body: { errors: [{ message: 'Batching is not supported.', extensions: { code: 'BAD_REQUEST', requestId: expect.any(String) } }] },
    });
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('does not parse multipart bodies (no uploads in this schema): 415', async () => {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: '{ __typename }' }));
    form.set('map', '{}');
    const response = await fetch(harness.url, { method: 'POST', headers: { 'x-graphql-yoga-csrf': '1' }, body: form });
    expect(response.status).toBe(415);
  });

  it('keeps serving after refusing large bodies', async () => {
    await Promise.all([post(paddedLogin(MEBIBYTE)), postChunked(harness.url, paddedLogin(MEBIBYTE))]);
    expect(await harness.graphql('{ __typename }')).toMatchObject({ status: 200, body: { data: { __typename: 'Query' } } });
  });
});
