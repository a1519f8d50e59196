import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { NodeServer } from '../../app/platform/node.ts';
import { expectMajor, htmxEnv, MAJORS, SharedBrowser, statusIs } from '../helpers/browser.ts';
import { startServer, TEST_TOKEN } from '../helpers/server.ts';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

let server: NodeServer;
let browser: SharedBrowser;
beforeAll(async () => {
  browser = await SharedBrowser.launch();
});
afterAll(async () => {
  await browser?.close();
});

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical findings on the page as it is now, one line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const violations = (await page.evaluate(() => (window as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } }).axe.run().then((r) => r.violations))) as Violation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe.each(MAJORS)('SPEC 4.7 accessibility: no serious or critical axe-core violation (htmx %i)', (major) => {
  beforeAll(async () => {
    server = await startServer(htmxEnv(major));
    await fetch(`${server.url}/api/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ metrics: [{ name: 'revenue', value: 1999.5, format: 'currency', label: 'Revenue' }, { name: 'revenue', value: 2400, format: 'currency', label: 'Revenue' }] }),
    });
  });
  afterAll(async () => {
    await server?.shutdown();
  });

  for (const theme of ['light', 'dark'] as const) {
    for (const [viewportName, viewport] of Object.entries(VIEWPORTS)) {
      it(`every page, ${theme} theme, ${viewportName}`, { timeout: 120_000 }, async () => {
        const person = await browser.person({ viewport, colorScheme: theme, bypassCSP: true, isMobile: viewportName === 'phone' });
        const found: Record<string, string[]> = {};
        const check = async (name: string, page: Page) => {
          found[name] = await seriousViolations(page);
        };

        const home = await person.open(`${server.url}/`);
        await check('home, no name yet', home);
        const chatUnnamed = await person.open(`${server.url}/chat/axe`);
        await check('chat, no name yet', chatUnnamed);
        await home.close();
        await chatUnnamed.close();

        const chat = await person.openNamed(`${server.url}/chat/axe`, `Axe ${theme} ${viewportName}`);
        await statusIs(chat, 'Connected');
        await expectMajor(chat, major);
        await chat.fill('#message-input', 'a message of mine, with @somebody');
        await chat.press('#message-input', 'Enter');
        await chat.waitForSelector('#chat-messages .message.own');
        const me = (await chat.getAttribute('header', 'data-user-id'))!;
        await fetch(`${server.url}/api/notify`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ user: me, text: 'Deploy finished', level: 'success' }),
        });
        await chat.waitForSelector('.toast .toast-close');
        await check('chat with a toast', chat);
        await chat.click('#identity summary');
        await chat.waitForSelector('#rename-form-input');
        await check('chat with the rename form open', chat);

        for (const [name, path] of [
          ['home', '/'],
          ['lobby', '/lobby/axe'],
          ['dashboard', '/dashboard'],
          ['notifications', '/notifications'],
          ['not found', '/nowhere'],
        ] as const) {
          await chat.goto(server.url + path);
          await chat.waitForFunction(() => 'htmx' in window);
          if (name === 'lobby') await chat.waitForSelector('#player-list .player');
          await check(name, chat);
        }
        await person.context.close();
        expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));
      });
    }
  }
});
