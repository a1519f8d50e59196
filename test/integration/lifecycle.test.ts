import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newUser, SocketClient, wsUrl } from '../helpers/clients.ts';
import { spawnServer, tempDir } from '../helpers/server.ts';

function runWithEnv(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'app/platform/node.ts'], {
      env: { ...process.env, DATABASE_URL: ':memory:', SESSION_SECRET: 'x'.repeat(20), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('SPEC 2 configuration', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['HISTORY_LIMIT', '0'],
    ['HEARTBEAT_MS', '1.5'],
    ['MAX_BUFFERED_BYTES', '-1'],
    ['ALLOWED_ORIGINS', 'not a url'],
    ['DATABASE_URL', 'postgres://x'],
  ])('stops start-up with one line naming %s=%s', async (name, value) => {
    const { code, output } = await runWithEnv({ [name]: value });
    expect(code).toBe(1);
    const lines = output.trim().split('\n').filter((line) => !line.includes('nodedir'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(name);
  });
});

describe('SPEC 6 shutdown and durability', () => {
  it('closes sockets with 1012 and exits 0 on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const server = await spawnServer({ DATABASE_URL: `file:${join(tempDir(), 'db.sqlite')}` });
      const user = await newUser(server.url, 'Dora');
      const client = await SocketClient.connect(wsUrl(server.url, '/chat/general/ws'), { cookie: user.cookie });
      await client.waitForText('chat-messages');
      const code = await server.stop(signal);
      expect(await client.closed).toBe(1012);
      expect(code, server.output()).toBe(0);
    }
  });

  it('keeps a message that others saw even if the process is killed with SIGKILL right after', async () => {
    const db = `file:${join(tempDir(), 'db.sqlite')}`;
    const first = await spawnServer({ DATABASE_URL: db });
    const sender = await newUser(first.url, 'Eve');
    const reader = await newUser(first.url, 'Finn');
    const a = await SocketClient.connect(wsUrl(first.url, '/chat/durable/ws'), { cookie: sender.cookie });
    const b = await SocketClient.connect(wsUrl(first.url, '/chat/durable/ws'), { cookie: reader.cookie });
    await a.waitForText('chat-messages');
    await b.waitForText('chat-messages');
    a.sendMessage('written before anyone saw it');
    await b.waitForText('written before anyone saw it');
    first.process.kill('SIGKILL');
    await first.stop();

    const second = await spawnServer({ DATABASE_URL: db });
    try {
      const again = await SocketClient.connect(wsUrl(second.url, '/chat/durable/ws'), { cookie: reader.cookie });
      const snapshot = await again.waitForText('chat-messages');
      expect(snapshot).toContain('<strong>Eve:</strong> written before anyone saw it');
      const page = await (await fetch(`${second.url}/chat/durable`, { headers: { cookie: reader.cookie } })).text();
      expect(page).toContain('written before anyone saw it');
      expect(page).toContain('Signed in as <strong>Finn</strong>');
      again.close();
    } finally {
      await second.stop();
    }
  });
});
