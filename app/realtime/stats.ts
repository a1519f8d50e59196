import type { Counters } from '../ports/counters.ts';

/** Process-wide counters behind GET /metrics (SPEC §5). */
export class Stats implements Counters {
  openSockets = 0;
  openStreams = 0;
  messages = 0;
  eventsSent = 0;
  slowClientsDropped = 0;
  /** How many fragments were rendered for broadcasts: one per broadcast, whatever the audience. */
  broadcastRenders = 0;
}

const sizers = new WeakMap<Stats, Array<() => Record<string, number>>>();

/** Adds a source of live structure sizes (rooms, hub topics, rings…) reported by `sizesOf`. */
export function reportSizes(stats: Stats, sizes: () => Record<string, number>): void {
  sizers.set(stats, [...(sizers.get(stats) ?? []), sizes]);
}

/** The sizes of the process's live structures, for tests and diagnostics. */
export function sizesOf(stats: Stats): Record<string, number> {
  return Object.assign({}, ...(sizers.get(stats) ?? []).map((sizes) => sizes()));
}
