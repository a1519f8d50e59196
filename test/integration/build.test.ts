import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser, SocketClient, wsUrl } from '../helpers/clients.ts';
import { BUILT_ENTRY, spawnServer, tempDir, type ChildServer } from '../helpers/server.ts';

// The production start (README): `npm install` builds dist/node.js, `npm start` runs it with plain `node`.
describe('built entry point (npm run build, node dist/node.js)', () => {
  let server: ChildServer;
  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'pipe' });
    server = await spawnServer({ DATABASE_URL: `file:${join(tempDir(), 'built.db')}` }, 0, BUILT_ENTRY);
  });
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('npm start runs node on the built file: no tsx, no build at start', () => {
    const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts;
    expect(scripts.start).toBe('node dist/node.js');
    expect(scripts.postinstall).toContain('scripts/build.mjs');
    expect(scripts.prestart).toBeUndefined();
  });

  it('starts as one node process without a TypeScript loader and serves /healthz, static files and pages', async () => {
    const loaded = execFileSync('ps', ['-o', 'args=', '-p', String(server.process.pid)], { encoding: 'utf8' }).trim();
    expect(loaded).toBe(`${process.execPath} dist/node.js`);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const script = await fetch(`${server.url}/js/sse-resume.js`);
    expect(script.status).toBe(200);
    const { cookie } = await newUser(server.url, 'Bundle');
    const page = await fetch(`${server.url}/chat/general`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="chat-messages"');
  });

  it('runs the TSX components and the WebSocket path from the bundle', async () => {
    const user = await newUser(server.url, 'Bundle');
    const client = await SocketClient.connect(wsUrl(server.url, '/chat/built/ws'), { cookie: user.cookie, origin: server.url });
    await client.waitForText('id="presence"');
    client.sendMessage('from the bundle');
    await client.waitForText('from the bundle');
    client.close();
  });
});
