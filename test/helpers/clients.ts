import WebSocket from 'ws';

/** Gets a `sid` cookie for a new user and, if given, sets its display name. */
export async function newUser(baseUrl: string, name?: string): Promise<{ cookie: string; userId: string }> {
  const res = await fetch(`${baseUrl}/`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const userId = /data-user-id="([^"]+)"/.exec(await res.text())![1]!;
  if (name !== undefined) {
    const body = new URLSearchParams({ name });
    const set = await fetch(`${baseUrl}/session`, {
      method: 'POST',
      headers: { cookie, 'hx-request': 'true', origin: baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    if (set.status !== 200) throw new Error(`POST /session answered ${set.status}`);
  }
  return { cookie, userId };
}

/** A real WebSocket client that keeps every text frame it receives, in order. */
export class SocketClient {
  readonly frames: string[] = [];
  readonly socket: WebSocket;
  closeCode: number | undefined;
  private waiters: Array<() => void> = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;

  constructor(url: string, options: { cookie?: string; origin?: string; autoPong?: boolean } = {}) {
    const headers: Record<string, string> = {};
    if (options.cookie) headers.cookie = options.cookie;
    if (options.origin) headers.origin = options.origin;
    this.socket = new WebSocket(url, { headers, autoPong: options.autoPong ?? true });
    this.socket.on('message', (data, isBinary) => {
      this.frames.push(isBinary ? `<binary ${(data as Buffer).length}>` : data.toString());
      this.wake();
    });
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      this.socket.once('error', reject);
    });
    this.closed = new Promise((resolve) => {
      this.socket.once('close', (code) => {
        this.closeCode = code;
        this.wake();
        resolve(code);
      });
    });
  }

  static async connect(url: string, options: ConstructorParameters<typeof SocketClient>[1] = {}): Promise<SocketClient> {
    const client = new SocketClient(url, options);
    await client.opened;
    return client;
  }

  send(value: unknown): void {
    this.socket.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  sendMessage(message: string): void {
    this.send({ message, HEADERS: { 'HX-Request': 'true', 'HX-Trigger': 'chat-form' } });
  }

  /** Resolves with the first frame from index `from` on that matches. */
  async waitFor(match: (frame: string) => boolean, timeoutMs = 5000, from = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let next = from;
    for (;;) {
      for (; next < this.frames.length; next++) if (match(this.frames[next]!)) return this.frames[next]!;
      if (Date.now() > deadline) throw new Error(`no matching frame within ${timeoutMs} ms; got:\n${this.frames.slice(-20).join('\n---\n')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async waitForText(text: string, timeoutMs?: number, from?: number): Promise<string> {
    return this.waitFor((frame) => frame.includes(text), timeoutMs, from);
  }

  close(): void {
    this.socket.close();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * `from` sends `text`; both clients get the broadcast (the first frame after this call that holds
 * `seen`), and it is the same frame for both: rendered once. Returns it.
 */
export async function sendAndSeeBoth(from: SocketClient, other: SocketClient, text: string, seen: string): Promise<string> {
  const [fromA, fromB] = [from.frames.length, other.frames.length];
  from.sendMessage(text);
  const seenByB = await other.waitForText(seen, 5000, fromB);
  const seenByA = await from.waitForText(seen, 5000, fromA);
  if (seenByA !== seenByB) throw new Error(`the sender and the other client got different frames:\n${seenByA}\n---\n${seenByB}`);
  return seenByB;
}

export const wsUrl = (baseUrl: string, path: string) => baseUrl.replace(/^http/, 'ws') + path;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The names a browser would show in `#presence` after applying every frame the client got, in order,
 * as htmx does: a snapshot replaces the list, a join appends its `<li>`, a leave deletes one. Throws on
 * what htmx would log as an error (an add of a name already shown, a delete of one not shown).
 */
export function shownPresence(frames: readonly string[]): { count: number | null; names: string[] } {
  let items = new Map<string, string>();
  let count: number | null = null;
  for (const frame of frames) {
    const snapshot = frame.indexOf('<div id="presence" hx-swap-oob="innerHTML">');
    if (snapshot !== -1) {
      const part = frame.slice(snapshot, frame.indexOf('</div>', snapshot));
      items = new Map([...part.matchAll(/<li id="presence-([^"]+)" data-user-id="[^"]+">(?:<span class="avatar"[^>]*>[^<]*<\/span>)?(?:<span class="person-name">)?([^<]*)(?:<\/span>)?<\/li>/g)].map((m) => [m[1]!, m[2]!]));
    }
    for (const m of frame.matchAll(/<ul id="presence-list" hx-swap-oob="beforeend"><li id="presence-([^"]+)" data-user-id="[^"]+">(?:<span class="avatar"[^>]*>[^<]*<\/span>)?(?:<span class="person-name">)?([^<]*)(?:<\/span>)?<\/li><\/ul>/g)) {
      if (items.has(m[1]!)) throw new Error(`presence: ${m[2]} added twice`);
      items.set(m[1]!, m[2]!);
    }
    for (const m of frame.matchAll(/<li id="presence-([^"]+)" data-user-id="[^"]+" hx-swap-oob="outerHTML">(?:<span class="avatar"[^>]*>[^<]*<\/span>)?(?:<span class="person-name">)?([^<]*)(?:<\/span>)?<\/li>/g)) {
      if (!items.has(m[1]!)) throw new Error(`presence: rename of ${m[1]} not shown`);
      items.set(m[1]!, m[2]!);
    }
    for (const m of frame.matchAll(/<li id="presence-([^"]+)" hx-swap-oob="delete"><\/li>/g)) {
      if (!items.delete(m[1]!)) throw new Error(`presence: delete of ${m[1]} not shown`);
    }
    const counted = /<h2 id="presence-count"[^>]*>Online \((\d+)\)<\/h2>/.exec(frame);
    if (counted) count = Number(counted[1]);
  }
  return { count, names: [...items.values()] };
}

/** What the /notifications page does once it has loaded: a same-origin htmx `POST /notifications/read`. */
export const markAllRead = (baseUrl: string, cookie: string) =>
  fetch(`${baseUrl}/notifications/read`, { method: 'POST', headers: { cookie, origin: baseUrl, 'hx-request': 'true' } });
