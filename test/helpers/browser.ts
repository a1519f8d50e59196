import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { tempDir } from './server.ts';

/** Flags that keep Debian's Chromium quiet and offline (DEVELOPERS.md). */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The browser suite runs once per htmx major the pages can load (SPEC §8): each file's describe
 * blocks take the major, and `htmxEnv(major)` is what its server starts with.
 */
export const MAJORS = [2, 4] as const;
export type Major = (typeof MAJORS)[number];
export const htmxEnv = (major: Major): Record<string, string> => ({ HTMX_VERSION: String(major) });

/** The page really runs the major it was served for. */
export async function expectMajor(page: Page, major: Major): Promise<void> {
  const version = await page.evaluate(() => (window as unknown as { htmx: { version: string } }).htmx.version);
  if (!version.startsWith(`${major}.`)) throw new Error(`expected htmx ${major}, the page runs ${version}`);
}

/**
 * One browser profile = one user: its own cookies and storage. Console errors and page errors are
 * collected so a test can assert the page ran cleanly (CSP violations show up there too).
 */
export class BrowserUser {
  readonly errors: string[] = [];
  /** Console warnings (htmx 4 warns of htmx 2 attributes it still understands, e.g. `ws-send`). */
  readonly warnings: string[] = [];
  private constructor(readonly context: BrowserContext) {}

  static async launch(): Promise<BrowserUser> {
    const context = await chromium.launchPersistentContext(tempDir('switchboard-chromium-'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
    });
    return new BrowserUser(context);
  }

  async open(url: string): Promise<Page> {
    const page = await this.context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') this.errors.push(message.text());
      if (message.type() === 'warning') this.warnings.push(message.text());
    });
    page.on('pageerror', (error) => this.errors.push(error.message));
    await page.goto(url);
    return page;
  }

  /** Opens `url`, sets the display name through the header form and waits for the page to settle. */
  async openNamed(url: string, name: string): Promise<Page> {
    const page = await this.open(url);
    await page.waitForFunction(() => 'htmx' in window);
    if (await page.locator('#name-form').count()) {
      await page.fill('#name-form input[name=name]', name);
      await Promise.all([page.waitForLoadState('load'), page.click('#name-form button')]);
      await page.waitForSelector('#identity .user-name');
    }
    return page;
  }

  close(): Promise<void> {
    return this.context.close();
  }
}

/** Waits until #connection-status reads `text`. */
export async function statusIs(page: Page, text: 'Connected' | 'Reconnecting…', timeout = 15_000): Promise<void> {
  await page.waitForFunction((expected) => document.getElementById('connection-status')?.textContent?.trim() === expected, text, {
    timeout,
  });
}

/**
 * One Chromium per test file, one context per person: contexts are cheap, browsers are not.
 * Options go to `browser.newContext` (viewport, colorScheme, bypassCSP for injecting axe-core…).
 */
export class SharedBrowser {
  private constructor(readonly browser: Browser) {}

  static async launch(): Promise<SharedBrowser> {
    return new SharedBrowser(await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS }));
  }

  /** A new person (fresh cookies and storage), with console errors collected like BrowserUser. */
  async person(options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; errors: string[]; open(url: string): Promise<Page>; openNamed(url: string, name: string): Promise<Page> }> {
    const context = await this.browser.newContext(options);
    const errors: string[] = [];
    const open = async (url: string) => {
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(url);
      return page;
    };
    const openNamed = async (url: string, name: string) => {
      const page = await open(url);
      await page.waitForFunction(() => 'htmx' in window);
      if (await page.locator('#name-form').count()) {
        await page.fill('#name-form input[name=name]', name);
        await Promise.all([page.waitForLoadState('load'), page.click('#name-form button')]);
        await page.waitForSelector('#identity .user-name');
      }
      return page;
    };
    return { context, errors, open, openNamed };
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}
