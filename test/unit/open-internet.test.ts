import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../app/config.ts';
import { addressKey, LocalIdentityLimiter } from '../../app/identity-limit.ts';
import { validateName } from '../../app/names.ts';
import { sessionSecretFileFor } from '../../app/platform/session-secret.ts';
import { isCannotWrite, StorageHealth } from '../../app/store/write-guard.ts';
import { localPath } from '../../app/http-policy.ts';
import { spawnServer, tempDir } from '../helpers/server.ts';

describe('SPEC 2 TRUST_PROXY, NEW_IDENTITIES_PER_MINUTE and API_TOKEN', () => {
  it('reads the defaults and refuses bad values, naming the variable', () => {
    const config = readConfig({});
    expect(config.trustProxy).toBe(false);
    expect(config.newIdentitiesPerMinute).toBe(120);
    expect(readConfig({ TRUST_PROXY: 'true', NEW_IDENTITIES_PER_MINUTE: '0' })).toMatchObject({ trustProxy: true, newIdentitiesPerMinute: 0 });
    expect(() => readConfig({ TRUST_PROXY: 'yes please' })).toThrow(/TRUST_PROXY must be true or false/);
    expect(() => readConfig({ NEW_IDENTITIES_PER_MINUTE: '-1' })).toThrow(/NEW_IDENTITIES_PER_MINUTE/);
  });

  it('refuses an API_TOKEN shorter than 16 characters', () => {
    expect(() => readConfig({ API_TOKEN: 'short-token-123' })).toThrow(ConfigError);
    expect(() => readConfig({ API_TOKEN: 'short-token-123' })).toThrow('API_TOKEN must be at least 16 characters long (it is 15)');
    expect(readConfig({ API_TOKEN: 'sixteen-chars-ok' }).apiToken).toBe('sixteen-chars-ok');
  });

  it('stops npm start with one line naming API_TOKEN', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'app/platform/node.ts'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: ':memory:', SESSION_SECRET: 'x'.repeat(20), API_TOKEN: 'guessable' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(output.trim()).toBe('switchboard: API_TOKEN must be at least 16 characters long (it is 9)');
  });
});

describe('SPEC 2 the generated session secret lives with the data', () => {
  it('puts it next to the database file, not in the working directory', async () => {
    expect(sessionSecretFileFor('file:/var/lib/switchboard/db.sqlite')).toBe('/var/lib/switchboard/session-secret');
    expect(sessionSecretFileFor('file:data/switchboard.db')).toBe(join(process.cwd(), 'data', 'session-secret'));
    expect(sessionSecretFileFor(':memory:')).toMatch(/\/data\/session-secret$/);
    const dir = tempDir();
    const server = await spawnServer({ SESSION_SECRET: '', DATABASE_URL: `file:${join(dir, 'db', 'switchboard.db')}` });
    try {
      expect(existsSync(join(dir, 'db', 'session-secret'))).toBe(true);
      expect(readFileSync(join(dir, 'db', 'session-secret'), 'utf8').trim().length).toBeGreaterThanOrEqual(32);
      expect(server.output()).toContain(join(dir, 'db', 'session-secret'));
    } finally {
      await server.stop();
    }
  });
});

describe('SPEC 6 the new-identity table', () => {
  it('gives each address a burst of perMinute, refilled over the minute', () => {
    let now = 0;
    const limiter = new LocalIdentityLimiter(3, 100, () => now);
    expect([1, 2, 3, 4].map(() => limiter.take('192.0.2.1'))).toEqual([true, true, true, false]);
    expect(limiter.take('192.0.2.2')).toBe(true);
    now += 20_000;
    expect(limiter.take('192.0.2.1')).toBe(true);
    expect(limiter.take('192.0.2.1')).toBe(false);
  });

  it('stays bounded under a flood of addresses', () => {
    const limiter = new LocalIdentityLimiter(120, 1000);
    for (let i = 0; i < 5000; i++) limiter.take(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    expect(limiter.trackedAddresses).toBe(1000);
  });

  it('keys IPv6 by /64 and IPv4-mapped addresses as IPv4', () => {
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff:0:0:9')).toBe('2001:db8:1:2::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(addressKey('198.51.100.4')).toBe('198.51.100.4');
  });
});

describe('SPEC 6 name rules', () => {
  it('says why a name is refused', () => {
    expect(validateName('\u202Eevil', 32)).toEqual({ ok: false, error: expect.stringContaining('text-direction') });
    expect(validateName('\u200B\u3164', 32)).toEqual({ ok: false, error: 'Names need at least one visible character.' });
    expect(validateName('x\u0000', 32)).toEqual({ ok: false, error: 'Names cannot contain control characters.' });
    expect(validateName(' Zoë ', 32)).toEqual({ ok: true, name: 'Zoë' });
  });
});

describe('SPEC 6 redirects and storage faults', () => {
  it('keeps redirect targets on this origin', () => {
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '/\tx', '']) expect(localPath(bad), bad).toBe('/');
    expect(localPath('/chat/a?b=1')).toBe('/chat/a?b=1');
  });

  it('tells a store that cannot write from other errors', () => {
    expect(isCannotWrite(Object.assign(new Error('SQLITE_FULL: database or disk is full'), { code: 'SQLITE_FULL' }))).toBe(true);
    expect(isCannotWrite(Object.assign(new Error('attempt to write a readonly database'), { code: 'SQLITE_READONLY' }))).toBe(true);
    expect(isCannotWrite(Object.assign(new Error('write failed'), { code: 'ENOSPC' }))).toBe(true);
    expect(isCannotWrite(new Error('x', { cause: Object.assign(new Error('inner'), { code: 'EROFS' }) }))).toBe(true);
    expect(isCannotWrite(Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT' }))).toBe(false);
    expect(isCannotWrite(new TypeError('undefined is not a function'))).toBe(false);
    expect(isCannotWrite(new TypeError("Cannot assign to read only property 'x' of object"))).toBe(false);
    expect(isCannotWrite(new Error('VIDEO too long'))).toBe(false);
  });

  it('reports degraded until a write or a probe succeeds', async () => {
    let probeFails = true;
    const health = new StorageHealth(async () => {
      if (probeFails) throw Object.assign(new Error('SQLITE_FULL: database or disk is full'), { code: 'SQLITE_FULL' });
    });
    expect(health.report()).toEqual({ status: 'ok' });
    health.failed(new Error('SQLITE_FULL: database or disk is full'));
    expect(health.report().status).toBe('degraded');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(health.report().status).toBe('degraded');
    health.succeeded();
    expect(health.report()).toEqual({ status: 'ok' });
    probeFails = false;
    health.failed(new Error('SQLITE_FULL'));
    expect(health.report().status).toBe('degraded');
  });
});
