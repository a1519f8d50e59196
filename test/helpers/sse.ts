import { EventSource } from 'eventsource';
import http from 'node:http';
import net from 'node:net';

export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
  retry: string | undefined;
}

/** Splits raw stream text into events (comments dropped), exactly as the bytes came. */
export function parseEvents(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split('\n\n').slice(0, -1)) {
    const fields = block.split('\n').filter((line) => !line.startsWith(':'));
    if (fields.length === 0) continue;
    const value = (name: string) => fields.filter((l) => l.startsWith(`${name}: `)).map((l) => l.slice(name.length + 2));
    events.push({ event: value('event')[0] ?? 'message', data: value('data').join('\n'), id: value('id')[0], retry: value('retry')[0] });
  }
  return events;
}

async function waitUntil(check: () => boolean, what: () => string, timeoutMs: number, wake: (cb: () => void) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 50);
      wake(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** `GET /events` read with node:http: every byte of the body, as it arrives. */
export class RawSse {
  text = '';
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  ended = false;
  response: http.IncomingMessage | undefined;
  private readonly request: http.ClientRequest;
  private wakers: Array<() => void> = [];
  readonly ready: Promise<void>;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } });
    this.ready = new Promise((resolve, reject) => {
      this.request.once('error', reject);
      this.request.once('response', (res) => {
        this.response = res;
        this.status = res.statusCode ?? 0;
        this.headers = res.headers;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          this.text += chunk;
          this.wake();
        });
        const done = () => {
          this.ended = true;
          this.wake();
        };
        res.once('end', done);
        res.once('close', done);
        resolve();
      });
    });
  }

  static async open(url: string, headers?: Record<string, string>): Promise<RawSse> {
    const raw = new RawSse(url, headers);
    await raw.ready;
    return raw;
  }

  get events(): SseEvent[] {
    return parseEvents(this.text);
  }

  get lastId(): string {
    return this.events.filter((e) => e.id).at(-1)!.id!;
  }

  async waitFor(check: (raw: RawSse) => boolean, timeoutMs = 5000): Promise<void> {
    await waitUntil(() => check(this), () => `raw stream so far:\n${this.text.slice(-1000)}`, timeoutMs, (cb) => this.wakers.push(cb));
  }

  async waitForEvent(match: (e: SseEvent) => boolean, timeoutMs = 5000): Promise<SseEvent> {
    await this.waitFor((raw) => raw.events.some(match), timeoutMs);
    return this.events.find(match)!;
  }

  /** Stops reading: the socket's buffers fill and the server sees a client that fell behind. */
  pause(): void {
    this.response!.pause();
  }

  close(): void {
    this.request.destroy();
  }

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const wake of wakers) wake();
  }
}

/** A real WHATWG EventSource (the `eventsource` package) with a user's cookie, recording named events. */
export class SseClient {
  readonly source: EventSource;
  readonly received: SseEvent[] = [];
  opens = 0;
  private wakers: Array<() => void> = [];

  constructor(url: string, names: string[], cookie?: string) {
    this.source = new EventSource(url, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers ?? {}), ...(cookie ? { cookie } : {}) } }),
    });
    this.source.addEventListener('open', () => {
      this.opens++;
      this.wake();
    });
    for (const name of names) {
      this.source.addEventListener(name, (e) => {
        const event = e as MessageEvent;
        this.received.push({ event: name, data: String(event.data), id: event.lastEventId, retry: undefined });
        this.wake();
      });
    }
  }

  named(name: string): SseEvent[] {
    return this.received.filter((e) => e.event === name);
  }

  async waitFor(check: (client: SseClient) => boolean, timeoutMs = 5000): Promise<void> {
    await waitUntil(() => check(this), () => `events so far: ${JSON.stringify(this.received.slice(-10).map((e) => ({ ...e, data: e.data.slice(0, 200) })))}`, timeoutMs, (cb) => this.wakers.push(cb));
  }

  close(): void {
    this.source.close();
  }

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const wake of wakers) wake();
  }
}

/** A TCP proxy whose connections a test can cut, to drop streams the way a network does. */
export class CuttableProxy {
  private constructor(
    private readonly server: net.Server,
    private readonly sockets: Set<net.Socket>,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<CuttableProxy> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((client) => {
      const upstream = net.connect(targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new CuttableProxy(server, sockets, (server.address() as net.AddressInfo).port);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  cutAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  close(): Promise<void> {
    this.cutAll();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export const api = (baseUrl: string, path: string, body: unknown, token = 'test-api-token-0123456789') =>
  fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
