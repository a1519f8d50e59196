import { Hono } from 'hono';
import type { Platform } from '../ports/platform.ts';
import { requireApiToken } from './api-auth.ts';

const METRICS: ReadonlyArray<[name: string, type: 'gauge' | 'counter', help: string, read: (p: Platform) => number]> = [
  ['switchboard_open_websockets', 'gauge', 'Open WebSocket connections.', (p) => p.stats.openSockets],
  ['switchboard_open_sse_streams', 'gauge', 'Open Server-Sent Events streams.', (p) => p.stats.openStreams],
  ['switchboard_messages_total', 'counter', 'Chat messages stored and broadcast.', (p) => p.stats.messages],
  ['switchboard_events_sent_total', 'counter', 'Fragments sent to WebSockets and SSE streams.', (p) => p.stats.eventsSent],
  ['switchboard_healthy', 'gauge', '1 while every dependency answers (cluster mode: Redis), else 0.', (p) => (p.health().status === 'ok' ? 1 : 0)],
  ['switchboard_slow_clients_dropped_total', 'counter', 'Connections dropped for passing MAX_BUFFERED_BYTES.', (p) => p.stats.slowClientsDropped],
];

/** `GET /metrics` (bearer): the process counters in the Prometheus text format 0.0.4. */
export function prometheusRoutes(platform: Platform) {
  const app = new Hono();
  app.get('/', requireApiToken(platform.config.apiToken), (c) => {
    const lines = METRICS.flatMap(([name, type, help, read]) => [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${read(platform)}`]);
    return c.body(lines.join('\n') + '\n', 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
  return app;
}
