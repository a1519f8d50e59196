import { describe, expect, it } from 'vitest';
import { Fragment } from '../../app/ports/fragment.ts';
import { encodeFeedEvent, FEED_HEARTBEAT, FeedDecoder } from '../../app/platform/worker/topic-feed.ts';

describe('SPEC 7 topic feeds between Durable Objects and the Worker', () => {
  it('carries events with multi-line HTML intact across arbitrary chunk boundaries and skips heartbeats', () => {
    const events = [
      { id: 1732400000000001, event: 'rooms', fragment: new Fragment('<ul>\n<li>#général — 2 online</li>\n</ul>') },
      { id: 1732400000000002, event: 'new-notification#7', fragment: new Fragment('<div class="toast">"quoted" & \\ back</div>') },
    ];
    const bytes = new Uint8Array([...encodeFeedEvent(events[0]!), ...FEED_HEARTBEAT, ...encodeFeedEvent(events[1]!), ...FEED_HEARTBEAT]);
    for (const size of [1, 3, 7, bytes.length]) {
      const decoder = new FeedDecoder();
      const seen = [];
      for (let at = 0; at < bytes.length; at += size) seen.push(...decoder.push(bytes.slice(at, at + size)));
      expect(seen.map((e) => [e.id, e.event, e.fragment.html])).toEqual(events.map((e) => [e.id, e.event, e.fragment.html]));
    }
  });
});
