import { Fragment } from './fragment.ts';
import type { TopicEvent } from './hub.ts';

/**
 * The one encoding of a topic event wherever it leaves a process: Redis keeps and publishes it
 * (cluster mode), and on Workers a topic object's feed, its `since` answer and the dashboard's
 * catch-up carry it to requests and other objects.
 *
 *     ID "\n" EVENT "\n" FRAGMENT        (FRAGMENT: `Fragment.wire`, one or both htmx majors)
 *
 * A publisher does not know the id yet: it sends the body (`EVENT "\n" FRAGMENT`) and whoever
 * numbers the topic (Redis' script, the topic object) puts `ID "\n"` in front. Event names never
 * hold a newline (they are built by the app: `message`, `presence:add:3:u1`, `new-notification#7`).
 */
export const topicWire = {
  body(event: string, fragment: Fragment): string {
    if (event.includes('\n')) throw new Error(`a topic event name holds a newline: ${JSON.stringify(event)}`);
    return `${event}\n${fragment.wire}`;
  },

  /** The entry of a numbered event: what the numbering side stores and sends. */
  entry(id: number, body: string): string {
    return `${id}\n${body}`;
  },

  encode(event: TopicEvent): string {
    return topicWire.entry(event.id, topicWire.body(event.event, event.fragment));
  },

  /** Reads a body back (the numbering side, before it has an id). */
  readBody(body: string): { event: string; fragment: Fragment } {
    const at = body.indexOf('\n');
    if (at < 0) throw new Error('a topic event body without its fragment');
    return { event: body.slice(0, at), fragment: Fragment.fromWire(body.slice(at + 1)) };
  },

  decode(entry: string): TopicEvent {
    const at = entry.indexOf('\n');
    const id = Number(entry.slice(0, at));
    if (at < 0 || !Number.isSafeInteger(id)) throw new Error(`a topic event entry without an id: ${JSON.stringify(entry.slice(0, 40))}`);
    return { id, ...topicWire.readBody(entry.slice(at + 1)) };
  },
};
