/**
 * Baseline for SSE: a bare node:http server. `POST /api/metrics` (bearer token, JSON) renders the
 * metric's fragment once and writes the same event bytes as the app to every open `/events` response.
 * No framework, no hub, no replay ring, no per-stream accounting.
 */
import { createServer, type ServerResponse } from 'node:http';
import { BENCH_TOKEN } from '../lib/credentials.ts';
import { controlledBy, fatal } from './control.ts';
import { NaiveMetricSeries } from './metric-html.ts';

try {
  const streams = new Set<ServerResponse>();
  const series = new Map<string, NaiveMetricSeries>();
  const heartbeatMs = Number(process.env.HEARTBEAT_MS ?? 15000);
  const stats = { openStreams: 0, eventsSent: 0 };
  let lastId = Date.now() * 1000;
  let current = new Map<string, string>();

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      let first = 'retry: 2000\n';
      for (const event of current.values()) {
        res.write(`${event}${first}\n`);
        first = '';
      }
      if (first) res.write(`${first}\n`);
      streams.add(res);
      stats.openStreams++;
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
      res.on('close', () => {
        clearInterval(heartbeat);
        streams.delete(res);
        stats.openStreams--;
      });
      return;
    }
    if (req.method === 'POST' && url.pathname === '/api/metrics') {
      if (req.headers.authorization !== `Bearer ${BENCH_TOKEN}`) return res.writeHead(401).end();
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        let input: { name?: unknown; value?: unknown };
        try {
          input = JSON.parse(body);
        } catch {
          return res.writeHead(400).end();
        }
        if (typeof input.name !== 'string' || typeof input.value !== 'number') return res.writeHead(400).end();
        let values = series.get(input.name);
        if (!values) series.set(input.name, (values = new NaiveMetricSeries()));
        values.push(input.value, Date.now());
        const event = `event: ${input.name}\ndata: ${values.html()}\nid: ${++lastId}\n`;
        current = new Map(current).set(input.name, event);
        const bytes = Buffer.from(`${event}\n`);
        for (const stream of streams) {
          stream.write(bytes);
          stats.eventsSent++;
        }
        res.writeHead(204).end();
      });
      return;
    }
    res.writeHead(404).end();
  });

  server.listen(0, '127.0.0.1', () => controlledBy((server.address() as { port: number }).port, () => ({ ...stats })));
} catch (error) {
  fatal(error);
}
