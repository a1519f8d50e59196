/**
 * Who runs a lobby's match clock, and how a press reaches it (SPEC §4.3.1). In one process (Node,
 * Deno, a Durable Object) the lobby's own room holds the clock; in cluster mode the instance holding
 * the lobby's lease in Redis does, and presses received elsewhere are relayed to it.
 */
export type MatchSignal = { kind: 'press'; userId: string } | { kind: 'review' };

export interface MatchLease {
  /** Aborted when the lease was lost (cluster mode: not renewed in time); the clock must stop. */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

export interface MatchCoordinator {
  /** Takes the lobby's clock when nobody holds it; null when someone does. */
  claim(lobby: string): Promise<MatchLease | null>;
  /** Delivers a signal to the holder of the lobby's clock, wherever it runs. */
  signal(lobby: string, signal: MatchSignal): Promise<void>;
  /** Signals for one lobby, as this process receives them. */
  listen(lobby: string, listener: (signal: MatchSignal) => void): () => void;
  /** How often a room that saw a match but holds no clock tries to take it over (cluster mode). */
  readonly takeoverMs: number | null;
}
