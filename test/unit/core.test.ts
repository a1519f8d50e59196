import { describe, expect, it } from 'vitest';
import { readConfig, ConfigError, LIMITS } from '../../app/config.ts';
import { LocalHub } from '../../app/realtime/hub.ts';
import { isAllowedOrigin } from '../../app/realtime/origin.ts';
import { RateLimiter } from '../../app/realtime/rate-limit.ts';
import { LocalPresence } from '../../app/realtime/presence.ts';

describe('SPEC 2 configuration defaults', () => {
  it('uses the documented defaults', () => {
    const config = readConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: 'file:data/switchboard.db',
      redisUrl: undefined,
      apiToken: undefined,
      allowedOrigins: [],
      heartbeatMs: 15000,
      historyLimit: 50,
      maxBufferedBytes: 1048576,
    });
    expect(config.limits).toEqual(LIMITS);
  });

  it('normalises ALLOWED_ORIGINS and rejects junk', () => {
    expect(readConfig({ ALLOWED_ORIGINS: 'https://a.example/, http://b.example:8080' }).allowedOrigins).toEqual([
      'https://a.example',
      'http://b.example:8080',
    ]);
    expect(() => readConfig({ ALLOWED_ORIGINS: 'nope' })).toThrow(ConfigError);
    expect(() => readConfig({ SESSION_SECRET: 'short' })).toThrow(/SESSION_SECRET/);
  });

  it('reads HTMX_VERSION: 2 by default, 2 or 4, anything else stops start-up naming it (SPEC 8)', () => {
    expect(readConfig({}).htmxVersion).toBe(2);
    expect(readConfig({ HTMX_VERSION: '4' }).htmxVersion).toBe(4);
    expect(readConfig({ HTMX_VERSION: ' 2 ' }).htmxVersion).toBe(2);
    for (const bad of ['3', '4.0', 'latest', '1']) expect(() => readConfig({ HTMX_VERSION: bad })).toThrow(/HTMX_VERSION must be 2 or 4/);
  });
});

describe('SPEC 6 rate limit', () => {
  it('allows a burst of 10, then one per second', () => {
    let now = 0;
    const limiter = new RateLimiter(10, 1, () => now);
    for (let i = 0; i < 10; i++) expect(limiter.take()).toBe(true);
    expect(limiter.take()).toBe(false);
    now += 999;
    expect(limiter.take()).toBe(false);
    now += 1;
    expect(limiter.take()).toBe(true);
    expect(limiter.take()).toBe(false);
    now += 60_000;
    for (let i = 0; i < 10; i++) expect(limiter.take()).toBe(true);
    expect(limiter.take()).toBe(false);
  });
});

describe('SPEC 6 origin check', () => {
  it('allows the own origin, listed origins and origin-less clients only', () => {
    expect(isAllowedOrigin('http://h:1', 'http://h:1', [])).toBe(true);
    expect(isAllowedOrigin(undefined, 'http://h:1', [])).toBe(true);
    expect(isAllowedOrigin('http://evil', 'http://h:1', [])).toBe(false);
    expect(isAllowedOrigin('http://h:2', 'http://h:1', [])).toBe(false);
    expect(isAllowedOrigin('https://ok', 'http://h:1', ['https://ok'])).toBe(true);
  });
});

describe('hub ring', () => {
  it('replays exactly the missed events, or null once the ring lost them', async () => {
    const hub = new LocalHub(3, () => {}, 10_000, { replayed: () => true });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await hub.publish('t', 'e', `<p>${i}</p>`)).id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect((await hub.since('t', ids[2]!))!.map((e) => e.fragment.html)).toEqual(['<p>3</p>', '<p>4</p>']);
    expect(await hub.since('t', ids[4]!)).toEqual([]);
    expect(await hub.since('t', ids[0]!)).toBeNull();
    expect(await hub.since('t', ids[4]! + 10)).toBeNull();
    expect(await hub.since('other', 5)).toBeNull();
  });

  it('renders once per publish whatever the number of subscribers', async () => {
    let renders = 0;
    const hub = new LocalHub(10, () => renders++);
    const seen: unknown[] = [];
    for (let i = 0; i < 100; i++) hub.subscribe('t', (event) => seen.push(event.fragment));
    await hub.publish('t', 'e', '<p>x</p>');
    expect(renders).toBe(1);
    expect(new Set(seen).size).toBe(1);
    expect(seen).toHaveLength(100);
  });
});

describe('presence', () => {
  it('counts a user once across tabs and leaves with the last tab', async () => {
    const presence = new LocalPresence();
    expect(await presence.join('chat:a', { userId: 'u1', name: 'A' })).toBe(true);
    expect(await presence.join('chat:a', { userId: 'u1', name: 'A' })).toBe(false);
    expect(await presence.join('chat:a', { userId: 'u2', name: 'B' })).toBe(true);
    expect((await presence.counts()).get('chat:a')).toBe(2);
    expect(await presence.leave('chat:a', 'u1')).toBe(false);
    expect(await presence.leave('chat:a', 'u1')).toBe(true);
    expect(await presence.list('chat:a')).toEqual([{ userId: 'u2', name: 'B' }]);
  });
});
