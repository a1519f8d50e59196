import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { BrowserUser, expectMajor, htmxEnv, MAJORS, statusIs } from '../helpers/browser.ts';
import { startServer } from '../helpers/server.ts';
import { api } from '../helpers/sse.ts';

describe.each(MAJORS)('SPEC 4.4 dashboard in the browser (htmx %i)', (major) => {
  let server: NodeServer;
  let viewer: BrowserUser;

  beforeAll(async () => {
    server = await startServer(htmxEnv(major));
    viewer = await BrowserUser.launch();
  });
  afterAll(async () => {
    await viewer?.close();
    await server?.shutdown();
  });

  const post = (body: unknown) => api(server.url, '/api/metrics', body);

  it('updates cards without a reload and grows a card for a metric first seen while open', async () => {
    expect((await post({ name: 'orders-today', value: 1200 })).status).toBe(204);
    const page = await viewer.open(`${server.url}/dashboard`);
    await statusIs(page, 'Connected');
    await expectMajor(page, major);
    await page.waitForSelector('#card-active-users #active-users .metric');
    expect(await page.textContent('#orders-today .metric')).toBe('1,200');

    await post({ name: 'orders-today', value: 1247 });
    await page.waitForFunction(() => document.querySelector('#orders-today .metric')?.textContent === '1,247');
    expect(await page.locator('#orders-today svg.sparkline polyline').count()).toBe(1);

    // A metric the page has never seen: its card appears, and its own updates keep arriving.
    await post({ name: 'revenue', value: 1999.5, format: 'currency', label: 'Revenue' });
    await page.waitForSelector('#card-revenue #revenue .metric');
    expect(await page.textContent('#card-revenue h2')).toBe('Revenue');
    await page.waitForFunction(() => document.querySelector('#revenue .metric')?.textContent === '$1,999.50');
    await post({ name: 'revenue', value: 2500 });
    await page.waitForFunction(() => document.querySelector('#revenue .metric')?.textContent === '$2,500.00');
    await post({ name: 'orders-today', value: 1300 });
    await page.waitForFunction(() => document.querySelector('#orders-today .metric')?.textContent === '1,300');

    expect(await page.locator('.metric-card').count()).toBe(5);
    expect(await page.locator('#card-revenue').count()).toBe(1);
    expect(viewer.errors).toEqual([]);
  });
});
