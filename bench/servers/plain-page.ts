/** Baseline for page throughput: a plain Hono route returning a fixed string of the app page's size. */
import { readFileSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { controlledBy, fatal } from './control.ts';

try {
  const body = readFileSync(process.env.BENCH_PAGE_FILE!, 'utf8');
  const app = new Hono();
  let requests = 0;
  app.get('/chat/general', (c) => {
    requests++;
    return c.html(body);
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => controlledBy(info.port, () => ({ requests })));
  server.on('error', fatal);
} catch (error) {
  fatal(error);
}
