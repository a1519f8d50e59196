import WebSocket from 'ws';
import { newUser } from '../../test/helpers/clients.ts';
import { forkBench, type Message } from '../lib/process.ts';

export interface PresenceResult {
  users: number;
  /** Bytes one member received for one join: when the room held `early` users, and when it held `users` (past 100 names: the count only). */
  early: number;
  joinBytesEarly: number;
  joinBytesAtN: number;
  /** What the last joiner got as its presence snapshot (bounded: count and first names). */
  snapshotBytesAtN: number;
  /** Server CPU per join over the first and the last `window` joins. */
  window: number;
  cpuPerJoinEarlyMicros: number;
  cpuPerJoinAtNMicros: number;
  seconds: number;
}

const ROOM = 'presence-bench';

async function usersFor(baseUrl: string, count: number): Promise<string[]> {
  const cookies: string[] = new Array(count);
  let next = 0;
  // Names of one width, so the fragment sizes compare like for like.
  const worker = async () => {
    while (next < count) {
      const i = next++;
      cookies[i] = (await newUser(baseUrl, `u${String(i).padStart(5, '0')}`)).cookie;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return cookies;
}

/** N distinct users join one room one after another; a member's bytes per join and the server's CPU per join, early and at N. */
export async function runPresence(users: number): Promise<PresenceResult> {
  const started = Date.now();
  const server = forkBench('servers/app.ts', 'presence app server', { BENCH_DATABASE: 'memory' });
  const sockets: WebSocket[] = [];
  try {
    const { port } = await server.next<Message & { port: number }>('ready');
    const baseUrl = `http://127.0.0.1:${port}`;
    const cookies = await usersFor(baseUrl, users);
    const cpu = async () => (await server.request<Message & { stats: Record<string, number> }>({ type: 'stats' }, 'stats')).stats.cpuMicros!;
    const joinBytes = new Map<number, number>();
    const early = Math.min(10, users);
    const window = Math.max(1, Math.min(100, Math.floor(users / 4)));
    let snapshotBytes = 0;
    let cpuEarly = 0;
    let cpuLate = 0;
    let mark = 0;
    for (let i = 0; i < users; i++) {
      if (i === 0 || i === users - window) mark = await cpu();
      const socket = new WebSocket(`ws://127.0.0.1:${port}/chat/${ROOM}/ws`, { headers: { cookie: cookies[i]!, origin: baseUrl } });
      if (i === 0) {
        // The watcher: the bytes of each join's fragment (one <li> and the count, or past the first
        // 100 names just the count), by the count it announces; snapshots are not joins.
        socket.on('message', (data) => {
          const text = data.toString();
          const count = /Online \((\d+)\)/.exec(text);
          if (count && !text.includes('<div id="presence"')) joinBytes.set(Number(count[1]), Buffer.byteLength(text));
        });
      }
      const first = new Promise<string>((resolve, reject) => {
        socket.once('message', (data) => resolve(data.toString()));
        socket.once('error', reject);
        socket.once('close', () => reject(new Error(`socket ${i} closed before its snapshot`)));
      });
      sockets.push(socket);
      const snapshot = await first;
      if (i === users - 1) snapshotBytes = Buffer.byteLength(snapshot.slice(snapshot.indexOf('<div id="presence"')));
      if (i === window - 1) cpuEarly = ((await cpu()) - mark) / window;
    }
    cpuLate = ((await cpu()) - mark) / window;
    const deadline = Date.now() + 30_000;
    while (!joinBytes.has(users) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    return {
      users,
      early,
      joinBytesEarly: joinBytes.get(early) ?? NaN,
      joinBytesAtN: joinBytes.get(users) ?? NaN,
      snapshotBytesAtN: snapshotBytes,
      window,
      cpuPerJoinEarlyMicros: cpuEarly,
      cpuPerJoinAtNMicros: cpuLate,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    // The server first: closing 2,000 sockets one by one would announce 2,000 leaves.
    await server.stop();
    for (const socket of sockets) socket.terminate();
  }
}
