import type { TopicEvent } from '../../ports/hub.ts';
import { topicWire } from '../../ports/topic-wire.ts';

/**
 * The stream a topic object writes to each subscriber (a Worker request holding an SSE stream, or
 * another object): each event as its `topicWire` entry, the one encoding Redis carries too, framed
 * by its length (`LENGTH "\n" ENTRY`, the length in UTF-16 units of the decoded text, since entries
 * hold newlines); an empty line is a heartbeat, so a subscriber that went away is found when a write fails.
 */
const encoder = new TextEncoder();

export const FEED_HEARTBEAT = encoder.encode('\n');

/** One frame per event, encoded once and written to every subscriber. */
export function encodeFeedEvent(event: TopicEvent): Uint8Array {
  const entry = topicWire.encode(event);
  return encoder.encode(`${entry.length}\n${entry}`);
}

/** Reads a feed back into events; chunks may split frames anywhere (a character, too). */
export class FeedDecoder {
  private readonly decoder = new TextDecoder();
  private buffer = '';

  push(chunk: Uint8Array): TopicEvent[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    const events: TopicEvent[] = [];
    for (;;) {
      const newline = this.buffer.indexOf('\n');
      if (newline < 0) break;
      if (newline === 0) {
        this.buffer = this.buffer.slice(1);
        continue;
      }
      const length = Number(this.buffer.slice(0, newline));
      if (!Number.isSafeInteger(length) || length < 0) throw new Error(`a topic feed frame without its length: ${JSON.stringify(this.buffer.slice(0, 40))}`);
      const end = newline + 1 + length;
      if (this.buffer.length < end) break;
      events.push(topicWire.decode(this.buffer.slice(newline + 1, end)));
      this.buffer = this.buffer.slice(end);
    }
    return events;
  }
}
