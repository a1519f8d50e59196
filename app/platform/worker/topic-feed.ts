import { Fragment } from '../../ports/fragment.ts';
import type { TopicEvent } from '../../ports/hub.ts';

/**
 * The stream a topic object writes to each subscriber (a Worker request holding an SSE stream, or
 * another object): one JSON line per published event, and an empty line as a heartbeat, so a
 * subscriber that went away is found when a write fails.
 */
const encoder = new TextEncoder();

export const FEED_HEARTBEAT = encoder.encode('\n');

/** One line per event, encoded once and written to every subscriber. */
export function encodeFeedEvent(event: TopicEvent): Uint8Array {
  return encoder.encode(JSON.stringify({ id: event.id, event: event.event, html: event.fragment.wire }) + '\n');
}

/** Reads a feed back into events; chunks may split lines anywhere. */
export class FeedDecoder {
  private readonly decoder = new TextDecoder();
  private buffer = '';

  push(chunk: Uint8Array): TopicEvent[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    const events: TopicEvent[] = [];
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      if (!line) continue;
      const { id, event, html } = JSON.parse(line) as { id: number; event: string; html: string };
      events.push({ id, event, fragment: Fragment.fromWire(html) });
    }
    return events;
  }
}
