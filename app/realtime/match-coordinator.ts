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

/** One process: leases and signals in memory. */
export class LocalMatchCoordinator implements MatchCoordinator {
  private readonly held = new Set<string>();
  private readonly listeners = new Map<string, Set<(signal: MatchSignal) => void>>();
  readonly takeoverMs = null;

  /** Whether some lobby's clock runs here now. */
  get holding(): boolean {
    return this.held.size > 0;
  }

  async claim(lobby: string): Promise<MatchLease | null> {
    if (this.held.has(lobby)) return null;
    this.held.add(lobby);
    const lost = new AbortController();
    return {
      lost: lost.signal,
      release: async () => {
        this.held.delete(lobby);
      },
    };
  }

  async signal(lobby: string, signal: MatchSignal): Promise<void> {
    for (const listener of this.listeners.get(lobby) ?? []) listener(signal);
  }

  listen(lobby: string, listener: (signal: MatchSignal) => void): () => void {
    let set = this.listeners.get(lobby);
    if (!set) this.listeners.set(lobby, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(lobby);
    };
  }
}
