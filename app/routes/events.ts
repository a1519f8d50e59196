import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Platform } from '../platform/platform.ts';
import type { IdentityEnv } from '../identity.ts';
import { originGuard } from '../realtime/socket-endpoint.ts';

/**
 * PLACEHOLDER for issue 3: keeps one stream open per page with a heartbeat so the layout's
 * sse-connect succeeds. Topics, ids, replay, notifications and slow-consumer limits come with issue 3.
 */
export function eventRoutes(platform: Platform) {
  const app = new Hono<IdentityEnv>();
  app.get('/', originGuard(platform.config.allowedOrigins), (c) =>
    streamSSE(c, async (stream) => {
      platform.stats.openStreams++;
      await stream.writeSSE({ event: 'ready', data: '', retry: 2000 });
      const done = new Promise<void>((resolve) => {
        stream.onAbort(resolve);
        platform.closing.addEventListener('abort', () => resolve());
      });
      const timer = setInterval(() => stream.write(': heartbeat\n\n').catch(() => {}), platform.config.heartbeatMs);
      await done;
      clearInterval(timer);
      platform.stats.openStreams--;
    }),
  );
  return app;
}
