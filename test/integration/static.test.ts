import { readFileSync } from 'node:fs';
import { get, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { VENDOR_VERSIONS } from '../../components/assets.ts';
import { startServer } from '../helpers/server.ts';

let server: NodeServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.shutdown();
});

function rawGet(url: string, headers: Record<string, string>): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

describe('SPEC 4.7 static files', () => {
  it('are gzipped when the client accepts it, and identical once unzipped', async () => {
    const plain = await fetch(`${server.url}/css/app.css`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    const original = Buffer.from(await plain.arrayBuffer());

    // node:http, not fetch: fetch would unzip the body on its own.
    const res = await rawGet(`${server.url}/css/app.css`, { 'accept-encoding': 'gzip' });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    const zipped = res.body;
    expect(zipped.length).toBeLessThan(original.length / 2);
    expect(gunzipSync(zipped).equals(original)).toBe(true);
  });

  it('carry an ETag that answers If-None-Match with 304, and Cache-Control', async () => {
    const first = await fetch(`${server.url}/js/ui.js`);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^W\/"[^"]+"$/);
    expect(first.headers.get('cache-control')).toBe('public, no-cache');
    await first.arrayBuffer();
    const again = await fetch(`${server.url}/js/ui.js`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(again.headers.get('cache-control')).toBe('public, no-cache');
    expect(await again.text()).toBe('');
  });

  it('mark versioned vendor URLs immutable, and the versions are the installed ones', async () => {
    for (const [file, version] of Object.entries(VENDOR_VERSIONS)) {
      const res = await fetch(`${server.url}/vendor/${file}?v=${version}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(res.status, file).toBe(200);
      expect(res.headers.get('cache-control'), file).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('etag'), file).toBeTruthy();
      await res.arrayBuffer();
    }
    const unversioned = await fetch(`${server.url}/vendor/htmx.min.js`);
    expect(unversioned.headers.get('cache-control')).toBe('public, no-cache');
    await unversioned.arrayBuffer();
    const pkg = (name: string) => JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')).version;
    expect(VENDOR_VERSIONS).toEqual({ 'htmx.min.js': pkg('htmx.org'), 'ws.min.js': pkg('htmx-ext-ws'), 'sse.min.js': pkg('htmx-ext-sse') });
  });

  it('the pages load the vendor scripts by their versioned URLs', async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    for (const [file, version] of Object.entries(VENDOR_VERSIONS)) expect(html).toContain(`src="/vendor/${file}?v=${version}"`);
  });
});
