/**
 * A load process: holds `count` connections to the server under test and measures every delivery of
 * a bench message, `bench:PHASE:SEQ:SENT_AT`, whose send time is parsed out of the fragment itself.
 */
import { Histogram, now } from '../lib/histogram.ts';
import { readToken, type TokenFormat } from '../lib/token.ts';
import { OPENERS, type Receiver, type ReceiverKind } from './receivers.ts';

export interface LoadConfig {
  kind: ReceiverKind;
  url: string;
  count: number;
  cookies: string[];
  readyOnFirstPayload: boolean;
  token: TokenFormat;
  /** Connections opening at once; more would overflow the server's accept backlog. */
  concurrency: number;
}

const config: LoadConfig = JSON.parse(process.env.BENCH_LOAD!);
const send = (message: Record<string, unknown>) => process.send!(message);

let phase = -1;
let expected = 0;
let histogram = new Histogram();
let deliveries = 0;
let bytes = 0;
let firstReceive = Infinity;
let lastReceive = 0;
let completeClients = 0;
let stopping = false;
const closes: string[] = [];
const receivers: Receiver[] = [];

class Connection {
  received = 0;
  receivedPhase = -1;

  onPayload = (text: string): void => {
    const at = now();
    const token = readToken(text, config.token, at);
    if (!token || token.phase !== phase) return;
    if (this.receivedPhase !== phase) {
      this.receivedPhase = phase;
      this.received = 0;
    }
    this.received++;
    deliveries++;
    bytes += Buffer.byteLength(text);
    histogram.record(at - token.sentAt);
    if (at < firstReceive) firstReceive = at;
    if (at > lastReceive) lastReceive = at;
    if (this.received === expected && ++completeClients === receivers.length) send({ type: 'complete' });
  };

  onClosed = (reason: string): void => {
    if (!stopping) closes.push(reason);
  };
}

async function connectAll(): Promise<{ open: number; errors: string[] }> {
  const errors: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < config.count) {
      const index = next++;
      const connection = new Connection();
      try {
        const receiver = await OPENERS[config.kind](
          { url: config.url, cookie: config.cookies[index % Math.max(1, config.cookies.length)], readyOnFirstPayload: config.readyOnFirstPayload },
          connection,
        );
        receivers.push(receiver);
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.concurrency, config.count) }, worker));
  return { open: receivers.length, errors };
}

process.on('message', (message: { type: string; phase?: number; expected?: number }) => {
  if (message.type === 'phase') {
    phase = message.phase!;
    expected = message.expected!;
    histogram = new Histogram();
    deliveries = bytes = completeClients = lastReceive = 0;
    firstReceive = Infinity;
    send({ type: 'phase-ready' });
  } else if (message.type === 'report') {
    send({
      type: 'report',
      histogram: histogram.toJSON(),
      deliveries,
      bytes,
      completeClients,
      open: receivers.length - closes.length,
      closes: closes.slice(0, 20),
      closeCount: closes.length,
      firstReceive: Number.isFinite(firstReceive) ? firstReceive : null,
      lastReceive: lastReceive || null,
    });
  } else if (message.type === 'stop') {
    stopping = true;
    for (const receiver of receivers) receiver.close();
    setTimeout(() => process.exit(0), 100);
  }
});
process.on('disconnect', () => process.exit(0));

connectAll().then(
  (result) => send({ type: 'connected', ...result, errors: result.errors.slice(0, 20), errorCount: result.errors.length }),
  (error) => send({ type: 'fatal', error: String(error) }),
);
