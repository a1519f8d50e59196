import { newUser, shownPresence, SocketClient, sleep, wsUrl } from './clients.ts';
import { spawnServer, type ChildServer } from './server.ts';

/** Short liveness TTL so a crashed instance's users leave within seconds, yet long enough that a live instance stalled by a loaded machine is not taken for dead. */
export const INSTANCE_TTL_MS = 3000;

/** One app instance in cluster mode: its own process, no disk, only Redis in common with the others. */
export function spawnInstance(redisUrl: string, env: Record<string, string> = {}): Promise<ChildServer> {
  return spawnServer({
    REDIS_URL: redisUrl,
    DATABASE_URL: ':memory:',
    CLUSTER_INSTANCE_TTL_MS: String(INSTANCE_TTL_MS),
    HISTORY_LIMIT: '20',
    ...env,
  });
}

/** Opens a room's socket and waits for its snapshot. */
export async function joinRoom(server: ChildServer, room: string, user: { cookie: string }): Promise<SocketClient> {
  const client = await SocketClient.connect(wsUrl(server.url, `/chat/${room}/ws`), { cookie: user.cookie });
  await client.waitForText('id="chat-messages" hx-swap-oob="innerHTML"');
  return client;
}

/** The chat messages a client received as live broadcasts, in arrival order: "id name: text". */
export function broadcastMessages(client: SocketClient): Array<{ id: number; line: string }> {
  const out: Array<{ id: number; line: string }> = [];
  for (const frame of client.frames) {
    if (!frame.startsWith('<div id="chat-messages" hx-swap-oob="beforeend">')) continue;
    const match = /id="msg-(\d+)"[^>]*><strong>([^<]+):<\/strong> ([^<]+?) <time/.exec(frame);
    if (match) out.push({ id: Number(match[1]), line: `${match[2]}: ${match[3]}` });
  }
  return out;
}

/** The names a browser would show in #presence after every frame the client received (sorted). */
export function latestPresence(client: SocketClient): string[] | undefined {
  if (!client.frames.some((frame) => frame.includes('id="presence'))) return undefined;
  return shownPresence(client.frames).names.sort();
}

/** Polls until `check` returns true or fails with `what`. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export async function health(server: ChildServer): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server.url}/healthz`);
  return { status: res.status, body: await res.json() };
}

export { newUser };
