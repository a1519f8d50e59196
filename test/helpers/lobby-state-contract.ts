import { describe, expect, it } from 'vitest';
import type { LobbyState } from '../../app/ports/lobby-state.ts';

/** The contract every LobbyState keeps; other platforms' implementations can run it too. */
export function lobbyStateContract(name: string, make: () => LobbyState | Promise<LobbyState>): void {
  describe(`SPEC 4.3 lobby state: ${name}`, () => {
    const alice = { userId: 'u-alice', name: 'Alice' };
    const bob = { userId: 'u-bob', name: 'Bob' };

    it('admits users up to the limit, once each, in join order', async () => {
      const state = await make();
      expect(await state.join('l', alice, 2)).toBe('joined');
      expect(await state.join('l', alice, 2)).toBe('returned');
      expect(await state.join('l', bob, 2)).toBe('joined');
      expect(await state.join('l', { userId: 'u-carol', name: 'Carol' }, 2)).toBe('full');
      expect(await state.join('l', bob, 2)).toBe('returned');
      expect((await state.players('l')).map((p) => p.name)).toEqual(['Alice', 'Bob']);
      expect(await state.players('other')).toEqual([]);
    });

    it('toggles ready flags and forgets an empty lobby with its log', async () => {
      const state = await make();
      await state.join('l', alice, 8);
      expect(await state.toggleReady('l', alice.userId)).toEqual({ ...alice, ready: true });
      expect(await state.toggleReady('l', alice.userId)).toEqual({ ...alice, ready: false });
      expect(await state.toggleReady('l', bob.userId)).toBeNull();
      await state.appendLog('l', { kind: 'joined', name: 'Alice' }, 10);
      expect(await state.leave('l', bob.userId)).toBeNull();
      expect(await state.leave('l', alice.userId)).toEqual({ ...alice, ready: false });
      expect(await state.players('l')).toEqual([]);
      expect(await state.recentLog('l')).toEqual([]);
      expect(await state.join('l', alice, 8)).toBe('joined');
    });

    it('renames a player in place, keeping the ready flag and the join order (SPEC §3)', async () => {
      const state = await make();
      await state.join('l', alice, 8);
      await state.join('l', bob, 8);
      await state.toggleReady('l', alice.userId);
      expect(await state.rename('l', alice.userId, 'Alicia')).toBe(true);
      expect(await state.rename('l', 'u-nobody', 'Ghost')).toBe(false);
      expect(await state.players('l')).toEqual([
        { userId: alice.userId, name: 'Alicia', ready: true },
        { ...bob, ready: false },
      ]);
    });

    it('keeps the newest lines of the log and names the one that falls out', async () => {
      const state = await make();
      await state.join('l', alice, 8);
      const ids: number[] = [];
      for (const text of ['a', 'b', 'c']) {
        const { line, droppedId } = await state.appendLog('l', { kind: 'message', name: 'Alice', text }, 2);
        ids.push(line.id);
        expect(droppedId).toBe(ids.length > 2 ? ids[0] : null);
      }
      expect(ids[1]! > ids[0]! && ids[2]! > ids[1]!).toBe(true);
      expect((await state.recentLog('l')).map((line) => (line.kind === 'message' ? line.text : ''))).toEqual(['b', 'c']);
    });
  
    it('keeps a running match while the lobby has players, sets everyone Not Ready, and logs match lines', async () => {
      const state = await make();
      const match = {
        players: [{ userId: alice.userId, name: 'Alice', points: 2 }, { userId: bob.userId, name: 'Bob', points: -1 }],
        round: 3,
        rounds: 5,
        phase: 'wait' as const,
        status: 'Round 3 of 5',
      };
      await state.saveMatch('l', match);
      expect(await state.loadMatch('l')).toBeNull();
      await state.join('l', alice, 8);
      await state.join('l', bob, 8);
      await state.saveMatch('l', match);
      expect(await state.loadMatch('l')).toEqual(match);
      await state.toggleReady('l', alice.userId);
      await state.toggleReady('l', bob.userId);
      expect((await state.unreadyAll('l')).map((p) => p.ready)).toEqual([false, false]);
      expect((await state.players('l')).map((p) => p.name)).toEqual(['Alice', 'Bob']);
      const { line } = await state.appendLog('l', { kind: 'match', name: 'Round 3', text: 'Alice wins' }, 10);
      expect((await state.recentLog('l')).at(-1)).toEqual(line);
      expect(line).toMatchObject({ kind: 'match', name: 'Round 3', text: 'Alice wins' });
      await state.saveMatch('l', null);
      expect(await state.loadMatch('l')).toBeNull();
      await state.saveMatch('l', match);
      await state.leave('l', alice.userId);
      await state.leave('l', bob.userId);
      expect(await state.loadMatch('l')).toBeNull();
    });
  });
}
