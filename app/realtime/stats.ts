/** Process-wide counters behind GET /metrics (SPEC §5). */
export class Stats {
  openSockets = 0;
  openStreams = 0;
  messages = 0;
  eventsSent = 0;
  slowClientsDropped = 0;
  /** How many fragments were rendered for broadcasts: one per broadcast, whatever the audience. */
  broadcastRenders = 0;
}
