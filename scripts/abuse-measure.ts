/**
 * Before/after figures for issue 10 (items 1–5): starts `app/platform/node.ts` from APP_DIR (default:
 * this checkout) as a child process and measures it from outside. Not part of `npm test`.
 *   npx tsx scripts/abuse-measure.ts [gets|rings|roomlist|burst|sigterm] [APP_DIR]
 */
import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import WebSocket from 'ws';

const [what = 'gets', appDir = process.cwd()] = process.argv.slice(2);
const SECRET = 'measure-session-secret-0123456789';
const TOKEN = 'measure-api-token-0123456789';

async function start(env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-measure-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/platform/node.ts'], {
    cwd: appDir,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', SESSION_SECRET: SECRET, API_TOKEN: TOKEN, DATABASE_URL: `file:${join(dir, 'db.db')}`, NEW_IDENTITIES_PER_MINUTE: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const port = await new Promise<number>((resolve, reject) => {
    const t = setInterval(() => {
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) { clearInterval(t); resolve(Number(m[1])); }
    }, 50);
    child.once('exit', () => reject(new Error(out)));
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { url: `http://127.0.0.1:${port}`, child, rssMb: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024, exited, output: () => out };
}

async function user(url: string, name?: string) {
  const res = await fetch(`${url}/`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  await res.text();
  if (name) {
    const r = await fetch(`${url}/session`, { method: 'POST', headers: { cookie, 'hx-request': 'true', origin: url, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ name }) });
    await r.text();
  }
  return cookie;
}

async function pool(count: number, width: number, task: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => { while (next < count) await task(next++); }));
}

function socket(url: string, path: string, cookie: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace('http', 'ws') + path, { headers: { cookie } });
    ws.once('message', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_q, r) => reject(new Error(`upgrade ${r.statusCode}`)));
  });
}

const gc = async () => { await new Promise((r) => setTimeout(r, 2000)); };
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const get = (url: string, headers: Record<string, string> = {}) =>
  new Promise<void>((resolve, reject) => http.get(url, { agent, headers }, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject));

async function main() {
  if (what === 'gets') {
    const s = await start();
    const cookie = await user(s.url, 'getter');
    await gc();
    const before = s.rssMb();
    await pool(20_000, 64, (i) => get(`${s.url}/${i % 2 ? 'chat' : 'lobby'}/g-${i}/ws`, { cookie }));
    await gc();
    const after = s.rssMb();
    await pool(20_000, 64, (i) => get(`${s.url}/${i % 2 ? 'chat' : 'lobby'}/h-${i}/ws`, { cookie }));
    await gc();
    console.log(`non-upgrading GETs of distinct rooms: RSS ${before.toFixed(0)} MB → ${after.toFixed(0)} MB after 20,000 → ${s.rssMb().toFixed(0)} MB after 40,000`);
    s.child.kill('SIGTERM');
  } else if (what === 'rings') {
    const s = await start();
    const text = 'x'.repeat(2000);
    await gc();
    const before = s.rssMb();
    await pool(5000, 32, (i) => fetch(`${s.url}/api/rooms/r-${i % 500}/messages`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bot', text }) }).then((r) => r.text()));
    await gc();
    console.log(`5,000 messages of 2,000 characters (500 rooms, no one connected): RSS ${before.toFixed(0)} → ${s.rssMb().toFixed(0)} MB`);
    s.child.kill('SIGTERM');
  } else if (what === 'roomlist') {
    const rooms = Number(process.env.ROOMS ?? 2000);
    const s = await start({ MAX_CONNECTIONS_PER_USER: '100000' });
    const cookie = await user(s.url, 'opener');
    const home = await user(s.url);
    let bytes = 0;
    let events = 0;
    const req = http.get(`${s.url}/events?topics=rooms`, { headers: { cookie: home } }, (res) => res.on('data', (d: Buffer) => { bytes += d.length; events += (d.toString().match(/event: rooms/g) ?? []).length; }));
    await new Promise((r) => setTimeout(r, 500));
    const started = Date.now();
    const sockets: WebSocket[] = [];
    await pool(rooms, 32, async (i) => sockets.push(await socket(s.url, `/chat/many-${i}/ws`, cookie)));
    await new Promise((r) => setTimeout(r, 1500));
    console.log(`one cookie opens ${rooms} rooms in ${((Date.now() - started) / 1000).toFixed(1)} s: home stream got ${(bytes / 1e6).toFixed(2)} MB in ${events} room-list events; server RSS ${s.rssMb().toFixed(0)} MB`);
    req.destroy();
    for (const ws of sockets) ws.terminate();
    s.child.kill('SIGTERM');
  } else if (what === 'burst' || what === 'sigterm') {
    const people = Number(process.env.PEOPLE ?? 500);
    const roomsN = Number(process.env.ROOMS ?? 1);
    const s = await start();
    const cookies: string[] = [];
    await pool(people, 16, async (i) => cookies.push(await user(s.url, `p${i}`)));
    const sockets: WebSocket[] = [];
    await pool(people, 32, async (i) => sockets.push(await socket(s.url, `/chat/burst-${i % roomsN}/ws`, cookies[i]!)));
    await new Promise((r) => setTimeout(r, 1000));
    const started = Date.now();
    for (const ws of sockets) for (let m = 0; m < 10; m++) ws.send(JSON.stringify({ message: `burst ${m}`, HEADERS: {} }));
    if (what === 'sigterm') {
      await new Promise((r) => setTimeout(r, 200));
      const t0 = Date.now();
      s.child.kill('SIGTERM');
      const code = await s.exited;
      console.log(`SIGTERM during a burst of ${people * 10} messages (${roomsN} rooms): exit ${code} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return;
    }
    const latencies: number[] = [];
    const healthStarted = Date.now();
    while (Date.now() - healthStarted < 8000) {
      const t0 = Date.now();
      await get(`${s.url}/healthz`);
      latencies.push(Date.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
    latencies.sort((a, b) => a - b);
    const stored = await (await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    console.log(`${people} people × 10-message burst in ${roomsN} room(s): /healthz median ${latencies[latencies.length >> 1]} ms, max ${latencies.at(-1)} ms over ${latencies.length} probes; ${/switchboard_messages_total (\d+)/.exec(stored)?.[1]} messages stored after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (const ws of sockets) ws.terminate();
    s.child.kill('SIGTERM');
  }
  agent.destroy();
}
await main();
process.exit(0);
