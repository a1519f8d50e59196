import { Hono } from 'hono';
import type { Platform } from '../ports/platform.ts';
import type { IdentityEnv } from '../identity.ts';
import { validateName } from '../names.ts';
import { Identity } from '../../components/Header.tsx';
import type { UserNames } from '../user-cache.ts';
import { publicOrigin } from '../forwarded.ts';
import { localPath } from '../http-policy.ts';

/** Pages that show nothing useful until the user has a name; they reload once it is set. */
const NEEDS_NAME = /^\/(chat|lobby)\//;

export function sessionRoutes(platform: Pick<Platform, 'config' | 'announceRename'>, names: Pick<UserNames, 'set'>) {
  const app = new Hono<IdentityEnv>();

  app.post('/', async (c) => {
    const viewer = c.get('viewer');
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const result = validateName(form.name, platform.config.limits.maxNameChars);
    const isHtmx = c.req.header('hx-request') === 'true';
    if (!result.ok) {
      const typed = typeof form.name === 'string' ? form.name.slice(0, 256) : '';
      return c.html(<Identity viewer={viewer} error={result.error} typed={typed} />, isHtmx ? 200 : 400);
    }
    await names.set(viewer.userId, result.name);
    // Open sockets of this user, in any room and on any instance, take the new name (SPEC §3).
    if (viewer.name !== result.name) await platform.announceRename(viewer.userId, result.name);
    const named = { ...viewer, name: result.name };
    if (!isHtmx) return c.redirect(safeBack(c.req.header('referer'), publicOrigin(c, platform.config)), 303);
    const current = c.req.header('hx-current-url');
    if (!viewer.name && current && NEEDS_NAME.test(new URL(current, c.req.url).pathname)) c.header('HX-Refresh', 'true');
    return c.html(<Identity viewer={named} />);
  });

  return app;
}

/** Back to the page the form was on, if it is ours (`http://host//evil.example` is not: SPEC §6). */
function safeBack(referer: string | undefined, ownOrigin: string): string {
  if (!referer) return '/';
  try {
    const url = new URL(referer);
    return url.origin === ownOrigin ? localPath(url.pathname + url.search) : '/';
  } catch {
    return '/';
  }
}
