import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { startServer, TEST_TOKEN } from '../helpers/server.ts';

let server: NodeServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.shutdown());

function runFeed(env: Record<string, string>, args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo-feed.ts', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

describe('SPEC 4.4 npm run demo:feed', () => {
  it('posts orders-today and revenue to the API, which the dashboard shows', async () => {
    const { code, output } = await runFeed({ BASE_URL: server.url, API_TOKEN: TEST_TOKEN }, ['--count', '3', '--interval', '10']);
    expect(output).toMatch(/orders-today \d+, revenue [\d.]+/);
    expect(code).toBe(0);
    const page = await (await fetch(`${server.url}/dashboard`)).text();
    expect(page).toMatch(/<div class="metric-card" id="card-orders-today"><h2>Orders today<\/h2>/);
    expect(page).toMatch(/<div id="revenue" sse-swap="revenue" hx-swap="innerHTML"><span class="metric">\$[\d,]+\.\d\d<\/span>/);
    expect((await server.platform.store.metricSeries(10)).get('orders-today')).toHaveLength(3);
  });

  it('stops with a clear message on a wrong token', async () => {
    const { code, output } = await runFeed({ BASE_URL: server.url, API_TOKEN: 'wrong' }, ['--count', '1']);
    expect(code).toBe(1);
    expect(output).toContain('answered 401');
  });
});
