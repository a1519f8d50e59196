import { describe, expect, it } from 'vitest';
import { LibsqlStore } from '../../app/store/libsql.ts';
import { MembershipLimitError, SqlMembership } from '../../app/auth/membership.ts';
import { RoomGate } from '../../app/auth/room-gate.ts';
import { hostTokenVerifier } from '../../app/auth/host-token.ts';
import { readConfig } from '../../app/config.ts';
import { hs256, HOST_SECRET } from '../helpers/host-tokens.ts';

describe('SPEC 9 membership rules and bounds', () => {
  it('lets members, matching claims and nobody removed in; a removal outweighs a claim until added again', async () => {
    const store = await LibsqlStore.open(':memory:');
    const membership = new SqlMembership(store.query, 3);
    const gate = new RoomGate(['team-*'], membership);
    expect(await gate.mayEnter('open', { userId: 'x', rooms: [] })).toBe(true);
    expect(await gate.mayEnter('team-a', { userId: 'x', rooms: [] })).toBe(false);
    expect(await gate.mayEnter('team-a', { userId: 'x', rooms: ['team-*'] })).toBe(true);
    expect(await gate.mayEnter('team-a', { userId: '', rooms: ['team-*'] })).toBe(false);
    await membership.remove('team-a', 'x');
    expect(await gate.mayEnter('team-a', { userId: 'x', rooms: ['team-*'] })).toBe(false);
    await membership.add('team-a', 'x');
    expect(await gate.mayEnter('team-a', { userId: 'x', rooms: [] })).toBe(true);
    await membership.setFlagged('board', true);
    expect(await gate.privateAmong(['board', 'open', 'team-b'])).toEqual(new Set(['board', 'team-b']));
    await membership.setFlagged('board', false);
    expect(await gate.isPrivate('board')).toBe(false);
    await store.close();
  });

  it('refuses a member past maxRoomMembers and keeps the ones it has', async () => {
    const store = await LibsqlStore.open(':memory:');
    const membership = new SqlMembership(store.query, 2);
    await membership.add('r', 'a');
    await membership.add('r', 'b');
    await membership.add('r', 'a');
    await expect(membership.add('r', 'c')).rejects.toThrow(MembershipLimitError);
    await expect(membership.remove('r', 'c')).rejects.toThrow(MembershipLimitError);
    expect(await membership.members('r')).toEqual(['a', 'b']);
    await store.close();
  });

  it('refuses a rooms claim longer than maxTokenRooms', async () => {
    const config = readConfig({ AUTH_JWT_SECRET: HOST_SECRET });
    const verify = hostTokenVerifier(config.auth, config.limits)!;
    const rooms = Array.from({ length: config.limits.maxTokenRooms + 1 }, (_, i) => `r${i}`);
    expect(await verify(await hs256({ sub: 'u', rooms: rooms.slice(1) }))).toMatchObject({ ok: true });
    expect(await verify(await hs256({ sub: 'u', rooms }))).toMatchObject({ ok: false, reason: expect.stringContaining('"rooms"') });
  });
});
