import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Platform } from '../ports/platform.ts';
import type { IdentityEnv } from '../identity.ts';
import type { Notifier } from '../realtime/notifier.tsx';
import { isAllowedOrigin } from '../realtime/origin.ts';
import { publicOrigin } from '../forwarded.ts';
import { NotificationsPage } from '../../components/Notifications.tsx';

/**
 * `GET /notifications` (SPEC §4.5, §6) only shows them and the user id; the page itself marks them
 * read with a same-origin `POST /notifications/read`, and every tab of the user gets a count of 0.
 */
export function notificationRoutes(platform: Pick<Platform, 'config' | 'store'>, notifier: Notifier) {
  const app = new Hono<IdentityEnv>();
  app.get('/', async (c) => {
    const viewer = c.get('viewer');
    const notifications = await platform.store.notifications(viewer.userId, platform.config.limits.notificationsShown);
    return c.html(<NotificationsPage viewer={viewer} htmx={platform.config.htmxVersion} notifications={notifications} origin={publicOrigin(c, platform.config)} />);
  });
  app.post('/read', sameOriginOnly(platform), async (c) => {
    await notifier.markAllRead(c.get('viewer').userId);
    // htmx swaps nothing; a plain form post goes back to the list.
    return c.req.header('hx-request') === 'true' ? c.body(null, 204) : c.redirect('/notifications', 303);
  });
  return app;
}

/**
 * Stricter than the form CSRF check, which lets a body-less POST through: the browser must say the
 * request came from one of our pages (`Origin`, or `Sec-Fetch-Site: same-origin` where it sends none).
 */
function sameOriginOnly(platform: Pick<Platform, 'config'>) {
  return createMiddleware(async (c, next) => {
    const origin = c.req.header('origin');
    const ok = origin
      ? origin !== 'null' && isAllowedOrigin(origin, publicOrigin(c, platform.config), platform.config.allowedOrigins)
      : c.req.header('sec-fetch-site') === 'same-origin';
    if (!ok) return c.text('Forbidden: notifications can only be marked read from this site’s own pages.', 403);
    await next();
  });
}
