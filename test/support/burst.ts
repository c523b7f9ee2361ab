import { Worker } from 'node:worker_threads';

/*
 * Requests that reach a server in the same turn of its event loop, as they do from many clients
 * at once: a worker thread holds the connections and writes every request while this thread (the
 * server's) is blocked, so the server's next poll finds them all waiting. Written from this
 * thread instead, they reach the server one turn at a time.
 */

const WORKER = /* js */ `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const { port, requests, followUps, signal } = workerData;
const flags = new Int32Array(signal);
const answers = requests.map(() => '');
const expected = followUps === undefined ? 1 : 2;
let complete = 0;
/** How many complete answers (each with a Content-Length body) \`text\` holds. */
const completeAnswers = (text) => {
  let count = 0;
  for (let rest = Buffer.from(text, 'utf8'); ; count++) {
    const end = rest.indexOf('\\r\\n\\r\\n');
    if (end < 0) return count;
    const length = /\\r\\ncontent-length: (\\d+)/i.exec(rest.subarray(0, end).toString('latin1'))?.[1];
    if (length === undefined || rest.length < end + 4 + Number(length)) return count;
    rest = rest.subarray(end + 4 + Number(length));
  }
};
const isComplete = (text) => completeAnswers(text) >= expected;
const sockets = requests.map((_, index) => {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.on('data', (chunk) => {
    const before = completeAnswers(answers[index]);
    answers[index] += chunk.toString('utf8');
    const after = completeAnswers(answers[index]);
    // The connection's next request goes as soon as its first answer is in, as a client's would.
    if (followUps !== undefined && before === 0 && after >= 1) socket.write(followUps[index]);
    if (before < expected && after >= expected && ++complete === requests.length) {
      for (const s of sockets) s.destroy();
      parentPort.postMessage({ answers });
    }
  });
  socket.on('close', () => {
    if (!isComplete(answers[index]) && ++complete === requests.length) parentPort.postMessage({ answers });
  });
  return socket;
});
Promise.all(sockets.map((socket) => new Promise((resolve) => socket.once('connect', resolve)))).then(() => {
  parentPort.postMessage('connected');
  Atomics.wait(flags, 0, 0);
  sockets.forEach((socket, index) => socket.write(requests[index]));
  // A turn for the writes to leave, then let the server's thread go on.
  setTimeout(() => {
    Atomics.store(flags, 1, 1);
    Atomics.notify(flags, 1);
  }, 20);
});
`;

export interface Burst {
  /**
   * Writes every request at once on its own connection and blocks this thread until they have
   * been sent; resolves with each connection's answers (`''` for one closed unanswered), in order.
   */
  fire(): Promise<string[]>;
}

/**
 * Opens one connection per request to `port` (127.0.0.1) from a worker thread; resolves once all
 * are open. With `followUps`, each connection sends its follow-up as soon as its first answer is
 * complete, and its answer text holds both answers.
 */
export async function openBurst(port: number, requests: string[], followUps?: string[]): Promise<Burst> {
  const signal = new SharedArrayBuffer(8);
  const flags = new Int32Array(signal);
  const worker = new Worker(WORKER, { eval: true, workerData: { port, requests, followUps, signal } });
  const messages: unknown[] = [];
  let wake: (() => void) | undefined;
  worker.on('message', (message: unknown) => {
    messages.push(message);
    wake?.();
  });
  const next = async (): Promise<unknown> => {
    while (messages.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return messages.shift();
  };
  if ((await next()) !== 'connected') throw new Error('burst: the connections did not open');
  return {
    async fire() {
      Atomics.store(flags, 0, 1);
      Atomics.notify(flags, 0);
      Atomics.wait(flags, 1, 0, 5_000);
      const { answers } = (await next()) as { answers: string[] };
      await worker.terminate();
      return answers;
    },
  };
}
