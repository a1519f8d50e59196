import { describe, expect, it } from 'vitest';
import { LocalHub } from '../../app/realtime/hub.ts';

describe('SPEC 4.6 topic rings', () => {
  it('replays what the ring holds and answers null past it', async () => {
    const hub = new LocalHub(3, () => {}, 10_000, { replayed: () => true });
    const start = await hub.head('t');
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await hub.publish('t', 'e', `<p>${i}</p>`)).id);
    expect(ids).toEqual([start + 1, start + 2, start + 3, start + 4, start + 5]);
    expect(await hub.head('t')).toBe(start + 5);
    expect((await hub.since('t', start + 2))!.map((e) => e.fragment.html)).toEqual(['<p>2</p>', '<p>3</p>', '<p>4</p>']);
    expect(await hub.since('t', start + 1)).toBeNull();
    expect(await hub.since('t', start + 5)).toEqual([]);
    expect(await hub.since('t', start + 6)).toBeNull();
  });

  it('keeps at most maxTopicRings rings, forgetting the least recently published topic', async () => {
    const hub = new LocalHub(10, () => {}, 2, { replayed: () => true });
    const a0 = await hub.head('a');
    await hub.publish('a', 'e', 'a1');
    const b = await hub.publish('b', 'e', 'b1');
    await hub.publish('a', 'e', 'a2');
    await hub.publish('c', 'e', 'c1');
    expect(await hub.since('b', b.id - 1)).toBeNull();
    expect((await hub.since('a', a0))!.map((e) => e.fragment.html)).toEqual(['a1', 'a2']);
    // Ids of a forgotten ring keep increasing: an old id is never reused (the topic's own last id was forgotten with it).
    expect((await hub.publish('b', 'e', 'b2')).id).toBeGreaterThan(b.id);
  });
});
