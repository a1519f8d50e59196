import { describe, expect, it } from 'vitest';
import { Fragment } from '../../app/ports/fragment.ts';
import { topicWire } from '../../app/ports/topic-wire.ts';
import { encodeFeedEvent, FEED_HEARTBEAT, FeedDecoder } from '../../app/platform/worker/topic-feed.ts';

const perMajor = Fragment.perMajor((major) => `<div hx-swap-oob="${major === 2 ? 'true' : 'beforeend'}">\n<b>two\nlines</b></div>`);
const events = [
  { id: 1732400000000001, event: 'rooms', fragment: new Fragment('<ul>\n<li>#général — 2 online 🎉</li>\n</ul>') },
  { id: 1732400000000002, event: 'new-notification#7', fragment: new Fragment('<div class="toast">"quoted" & \\ back 12\n34</div>') },
  { id: 3, event: 'message', fragment: perMajor },
  { id: 4, event: 'presence:add:3:u1', fragment: new Fragment('') },
];
const seen = (list: Array<{ id: number; event: string; fragment: Fragment }>) => list.map((e) => [e.id, e.event, e.fragment.for(2).html, e.fragment.for(4).html]);

describe('SPEC 7 one wire encoding for topic events (Redis and Durable Objects)', () => {
  it('round-trips ids, names and both htmx majors of multi-line, non-ASCII fragments', () => {
    expect(seen(events.map((e) => topicWire.decode(topicWire.encode(e))))).toEqual(seen(events));
    // The publisher's body plus the numbering side's id is the same entry as the whole event encoded.
    for (const e of events) expect(topicWire.entry(e.id, topicWire.body(e.event, e.fragment))).toBe(topicWire.encode(e));
    expect(topicWire.encode(events[0]!)).toBe(`1732400000000001\nrooms\n${events[0]!.fragment.wire}`);
  });

  it('refuses what it cannot carry, with a clear error', () => {
    expect(() => topicWire.body('two\nlines', new Fragment('<p>x</p>'))).toThrow(/newline/);
    expect(() => topicWire.decode('not-an-id\nrooms\n<p>x</p>')).toThrow(/without an id/);
    expect(() => topicWire.decode('12')).toThrow(/without an id/);
    expect(() => topicWire.readBody('rooms')).toThrow(/without its fragment/);
  });

  it('carries feed frames intact across arbitrary chunk boundaries (inside a character too) and skips heartbeats', () => {
    const bytes = new Uint8Array([...FEED_HEARTBEAT, ...events.flatMap((e) => [...encodeFeedEvent(e), ...FEED_HEARTBEAT])]);
    for (const size of [1, 2, 3, 7, 64, bytes.length]) {
      const decoder = new FeedDecoder();
      const got = [];
      for (let at = 0; at < bytes.length; at += size) got.push(...decoder.push(bytes.slice(at, at + size)));
      expect(seen(got)).toEqual(seen(events));
    }
  });

  it('a feed frame is the topicWire entry behind its length', () => {
    const entry = topicWire.encode(events[0]!);
    expect(new TextDecoder().decode(encodeFeedEvent(events[0]!))).toBe(`${entry.length}\n${entry}`);
    expect(() => new FeedDecoder().push(new TextEncoder().encode('garbage\n'))).toThrow(/length/);
  });
});
