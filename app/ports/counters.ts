/** Process-wide counters behind GET /metrics (SPEC §5). */
export interface Counters {
  openSockets: number;
  openStreams: number;
  messages: number;
  eventsSent: number;
  slowClientsDropped: number;
  /** How many fragments were rendered for broadcasts: one per broadcast, whatever the audience. */
  broadcastRenders: number;
}
