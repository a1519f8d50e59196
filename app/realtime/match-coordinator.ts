import type { MatchCoordinator, MatchLease, MatchSignal } from '../ports/match.ts';

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
