import { describe, expect, it } from 'vitest';
import { CONTROL_TOPIC, EVERYONE, HubConnectionControl, LocalConnections } from '../../app/auth/connections.ts';
import type { EndReason } from '../../app/ports/access.ts';
import { LocalHub } from '../../app/realtime/hub.ts';

function connection(room: string | null, log: string[], label: string) {
  return { room, end: (reason: EndReason) => log.push(`${label}:${reason}`) };
}

describe('SPEC 9 ending connections by user', () => {
  it('ends a user’s connections in one room, all of them, or everyone’s in a room', async () => {
    const hub = new LocalHub(10);
    const local = new LocalConnections();
    const control = new HubConnectionControl(hub, local, async () => 1, 2000);
    const log: string[] = [];
    local.add('ann', connection('a', log, 'ann-a'));
    local.add('ann', connection('b', log, 'ann-b'));
    local.add('ann', connection(null, log, 'ann-stream'));
    const bobInA = local.add('bob', connection('a', log, 'bob-a'));

    expect(await control.evict('a', 'ann')).toBe(1);
    expect(log).toEqual(['ann-a:removed']);
    bobInA();
    expect(await control.recheck('a')).toBe(1);
    expect(log.at(-1)).toBe('ann-a:recheck');
    expect(await control.disconnect('ann')).toBe(3);
    expect(await control.disconnect('nobody')).toBe(0);
    expect(log).not.toContain('bob-a:recheck');
    expect(EVERYONE).toBe('*');
  });

  it('ignores an order older than its wait (replayed after a hub outage)', async () => {
    const hub = new LocalHub(10);
    const local = new LocalConnections();
    new HubConnectionControl(hub, local, async () => 1, 2000);
    const log: string[] = [];
    local.add('ann', connection(null, log, 'ann'));
    await hub.publish(CONTROL_TOPIC, 'end', JSON.stringify({ id: 'old', userId: 'ann', room: null, reason: 'disconnected', at: Date.now() - 60_000 }));
    expect(log).toEqual([]);
    await hub.publish(CONTROL_TOPIC, 'end', JSON.stringify({ id: 'new', userId: 'ann', room: null, reason: 'disconnected', at: Date.now() }));
    expect(log).toEqual(['ann:disconnected']);
  });
});
