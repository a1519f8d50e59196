import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newUser } from '../../test/helpers/clients.ts';
import type { BenchOptions } from '../lib/options.ts';
import { forkBench, type Message } from '../lib/process.ts';

export interface PageResult {
  target: string;
  requestsPerSecond: number;
  requests: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  bytesPerResponse: number;
}

const CONNECTIONS = 10;
const HISTORY = 50;

async function load(target: string, url: string, seconds: number, cookie?: string): Promise<PageResult> {
  const child = forkBench('clients/page-load.ts', `${target} page load`, { BENCH_PAGE: JSON.stringify({ url, cookie, connections: CONNECTIONS, seconds }) });
  try {
    const result = await child.next<Message & Omit<PageResult, 'target'>>('result', seconds * 1000 + 30_000);
    const { type: _type, ...figures } = result;
    return { target, ...figures };
  } finally {
    await child.stop();
  }
}

async function started(script: string, name: string, env?: Record<string, string>) {
  const server = forkBench(script, name, env);
  const { port } = await server.next<Message & { port: number }>('ready');
  return { server, url: `http://127.0.0.1:${port}/chat/general` };
}

/** `/chat/general` with 50 messages, as a named user sees it, against a plain route of the same size. */
export async function runPage(options: BenchOptions): Promise<{ app: PageResult; baseline: PageResult; pageBytes: number }> {
  const app = await started('servers/app.ts', 'app server', { BENCH_SEED_MESSAGES: String(HISTORY), BENCH_DATABASE: options.database });
  let file: string;
  let cookie: string;
  let appResult: PageResult;
  let pageBytes: number;
  try {
    ({ cookie } = await newUser(app.url.replace(/\/chat\/general$/, ''), 'Reader'));
    const page = await (await fetch(app.url, { headers: { cookie } })).text();
    const shown = (page.match(/class="message"/g) ?? []).length;
    if (shown !== HISTORY) throw new Error(`the app page shows ${shown} messages, expected ${HISTORY}`);
    pageBytes = Buffer.byteLength(page);
    file = join(tmpdir(), `switchboard-bench-page-${process.pid}.html`);
    writeFileSync(file, page);
    appResult = await load('app', app.url, options.pageSeconds, cookie);
  } finally {
    await app.server.stop();
  }
  const plain = await started('servers/plain-page.ts', 'plain page server', { BENCH_PAGE_FILE: file });
  try {
    return { app: appResult, baseline: await load('plain hono', plain.url, options.pageSeconds), pageBytes };
  } finally {
    await plain.server.stop();
  }
}
