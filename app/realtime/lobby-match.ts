import type { RoomPlatform } from '../ports/platform.ts';
import type { LobbyPlayer, MatchRecord } from '../ports/lobby-state.ts';
import { MATCH_END_EVENT, MATCH_EVENT, MatchClock, type MatchHost } from './match-clock.tsx';
import type { MatchCoordinator, MatchLease, MatchSignal } from '../ports/match.ts';
import { RateLimiter } from './rate-limit.ts';
import { whenClosing } from './closing.ts';
import type { RoomLine } from '../ports/room-fanout.ts';

/**
 * The match side of one lobby room on this process (SPEC §4.3.1): the clock when this room runs it,
 * presses on their way to whichever clock runs it, starting a match when everyone is ready, and (cluster
 * mode) taking over the clock of an instance that died. Everything runs in the room's line.
 */
export class LobbyMatch {
  private clock: MatchClock | undefined;
  private readonly matches: MatchCoordinator;
  private readonly unlisten: () => void;
  private readonly stopWatching: () => void;
  private readonly host: MatchHost;
  /** A match is being played somewhere (this room's clock, or another instance's), as the lobby's own events tell. */
  private known = false;
  private takeover: ReturnType<typeof setInterval> | undefined;
  /** Presses per user on this instance, refused here before they go to the clock. */
  private readonly limiters = new Map<string, RateLimiter>();

  constructor(
    private readonly lobby: string,
    private readonly platform: RoomPlatform,
    private readonly queue: Pick<RoomLine, 'run' | 'publish'>,
  ) {
    this.matches = platform.matches;
    this.unlisten = this.matches.listen(lobby, (signal) => this.onSignal(signal));
    // Shutting down: in cluster mode another instance takes the match over once the lease is free.
    // (Through `whenClosing` and released on dispose: a listener per lobby ever opened would keep every
    // disposed lobby alive on the server's signal.)
    this.stopWatching = whenClosing(platform.closing, () => this.clock?.stop());
    this.host = {
      lobby,
      platform,
      run: (work) => this.queue.run(work),
      publish: (event, html) => this.queue.publish(event, html),
      random: () => platform.random(),
      now: () => performance.now(),
      ended: (clock) => {
        if (this.clock === clock) this.clock = undefined;
      },
    };
  }

  /** Every event of the lobby's topic passes here first: match events say whether a match is on. */
  observe(event: string): void {
    if (event === MATCH_EVENT) this.saw(true);
    if (event === MATCH_END_EVENT) this.saw(false);
  }

  /**
   * A press, stamped as it arrives, for this room's clock or (cluster mode) relayed to the instance
   * that runs it, which stamps it as it receives it. Answers with the refusal to show, if any.
   */
  async press(userId: string): Promise<string | null> {
    const at = performance.now();
    if (!this.limiterFor(userId).take()) return 'You are pressing too fast; wait a moment.';
    const clock = this.clock;
    if (clock) {
      await this.queue.run(() => clock.press(userId, at));
      return null;
    }
    if (!this.known) return 'No match is being played: it starts when every player is ready.';
    await this.matches.signal(this.lobby, { kind: 'press', userId });
    return null;
  }

  /** Toggle ready is refused while a match is played (during the countdown it cancels the match instead). */
  async readyRefusal(): Promise<string | null> {
    const match = await this.platform.lobbies.loadMatch(this.lobby);
    return match && match.phase !== 'countdown' ? 'A match is being played: Toggle ready works again when it ends.' : null;
  }

  /** A socket joined and saw `match`: a match nobody runs in one process (left from a restart) carries on here. */
  async joined(match: MatchRecord | null): Promise<void> {
    if (!match || this.clock) return;
    this.saw(true);
    if (this.matches.takeoverMs === null) await this.takeOver();
  }

  /** After every join, leave and ready change: the clock reviews its players, and a lobby all ready starts a match. */
  async changed(players: LobbyPlayer[], match: MatchRecord | null): Promise<void> {
    if (players.length === 0) return this.clock?.stop();
    if (this.clock) await this.clock.review();
    else if (match) await this.matches.signal(this.lobby, { kind: 'review' });
    if (!this.clock) await this.startIfReady(match ? await this.platform.lobbies.players(this.lobby) : players);
  }

  dispose(): void {
    this.unlisten();
    this.stopWatching();
    this.clock?.stop();
    this.saw(false);
  }

  private onSignal(signal: MatchSignal): void {
    const at = performance.now();
    this.queue
      .run(async () => {
        if (!this.clock) return;
        if (signal.kind === 'press') return this.clock.press(signal.userId, at);
        await this.clock.review();
        // A countdown cancelled for a change on another instance: the players left may all be ready.
        if (!this.clock) await this.startIfReady(await this.platform.lobbies.players(this.lobby));
      })
      .catch((error) => console.error(`match signal of lobby:${this.lobby} failed:`, error));
  }

  /** At least two players, all ready, and no match: this room takes the clock and starts one. */
  private async startIfReady(players: LobbyPlayer[]): Promise<void> {
    if (this.clock || this.platform.closing.aborted) return;
    if (players.length < 2 || !players.every((p) => p.ready)) return;
    const lease = await this.matches.claim(this.lobby);
    if (!lease) return;
    // A match whose clock stopped without ending it (its holder died) carries on; otherwise a new one starts.
    const match = await this.platform.lobbies.loadMatch(this.lobby);
    this.clock = await this.holding(lease, () => (match ? MatchClock.resume(this.host, match, lease) : MatchClock.start(this.host, players, lease)));
  }

  /**
   * Cluster mode: while a match is played and this room does not run its clock, it tries now and
   * then to take the clock over; it gets it only when the holder's lease ran out (that instance died).
   */
  private saw(known: boolean): void {
    this.known = known;
    const every = this.matches.takeoverMs;
    if (known && every !== null && this.takeover === undefined) {
      this.takeover = setInterval(() => {
        this.queue.run(() => this.takeOver()).catch((error) => console.error(`match takeover of lobby:${this.lobby} failed:`, error));
      }, every);
      (this.takeover as { unref?: () => void }).unref?.();
    } else if (!known && this.takeover !== undefined) {
      clearInterval(this.takeover);
      this.takeover = undefined;
    }
  }

  /** Runs the lobby's recorded match from its current round when its clock is free (its holder is gone). */
  private async takeOver(): Promise<void> {
    if (this.clock || this.platform.closing.aborted) return;
    const lease = await this.matches.claim(this.lobby);
    if (!lease) return;
    const match = await this.platform.lobbies.loadMatch(this.lobby);
    if (!match) {
      await lease.release();
      this.saw(false);
      return;
    }
    this.clock = await this.holding(lease, () => MatchClock.resume(this.host, match, lease));
    await this.clock.review();
  }

  /** A clock that could not be started gives its lease back at once, so nobody waits for it. */
  private async holding(lease: MatchLease, start: () => Promise<MatchClock>): Promise<MatchClock> {
    try {
      return await start();
    } catch (error) {
      await lease.release().catch(() => {});
      throw error;
    }
  }

  private limiterFor(userId: string): RateLimiter {
    let limiter = this.limiters.get(userId);
    if (!limiter) {
      const { pressBurst, pressesPerSecond, maxLobbyPlayers } = this.platform.config.limits;
      if (this.limiters.size >= 4 * maxLobbyPlayers) this.limiters.clear();
      this.limiters.set(userId, (limiter = new RateLimiter(pressBurst, pressesPerSecond)));
    }
    return limiter;
  }
}
