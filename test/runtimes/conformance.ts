import { afterAll, beforeAll } from 'vitest';
import { abuseSuite } from './conformance-abuse.ts';
import { accessSuite } from './conformance-access.ts';
import { chatSuite } from './conformance-chat.ts';
import { eventsSuite } from './conformance-events.ts';
import { htmx4Suite } from './conformance-htmx4.ts';
import { lifecycleSuite } from './conformance-lifecycle.ts';
import { lobbySuite } from './conformance-lobby.ts';
import { pagesSuite } from './conformance-pages.ts';
import { SuiteContext } from './context.ts';
import type { Launcher } from './launchers.ts';

/**
 * SPEC §7: one conformance suite, run unchanged against every runtime's real entry point. Each
 * runtime's test file calls this with its launcher; nothing here knows which runtime it talks to
 * except what the launcher declares (`onStop`, `pingsSockets`).
 */
export function conformanceSuite(launcher: Launcher): void {
  const ctx = new SuiteContext(launcher);
  beforeAll(() => ctx.start());
  afterAll(async () => {
    await ctx.server?.stop();
  });

  pagesSuite(ctx);
  chatSuite(ctx);
  lobbySuite(ctx);
  eventsSuite(ctx);
  htmx4Suite(ctx);
  abuseSuite(ctx);
  accessSuite(ctx);
  // Last: it restarts the server, then checks the console of both.
  lifecycleSuite(ctx);
}
