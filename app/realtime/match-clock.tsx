import { render } from '../../components/render.ts';
import { ArenaUpdate, PressNote, ranked, ScoreboardUpdate, StatusUpdate, type ArenaView, type NoteKind } from '../../components/Arena.tsx';
import { gameStatus, LogAppend, PlayerList } from '../../components/Lobby.tsx';
import type { Child } from 'hono/jsx';
import type { HtmxMajor } from '../ports/fragment.ts';
import { renderPerMajor } from './per-major.tsx';
import type { RoomPlatform } from '../ports/platform.ts';
import type { LobbyPlayer, MatchRecord, NewLogLine } from '../ports/lobby-state.ts';
import type { MatchLease } from '../ports/match.ts';
import { RateLimiter } from './rate-limit.ts';

/** What a clock needs from the lobby it runs in. */
export interface MatchHost {
  readonly lobby: string;
  readonly platform: RoomPlatform;
  /** Runs work in the lobby's serial queue, after whatever the lobby is doing. */
  run(work: () => Promise<void>): Promise<void>;
  /** A random number in [0, 1): the GO delay. */
  random(): number;
  /** Milliseconds on a clock that only goes forward. */
  now(): number;
  /** The clock stopped for good (over, abandoned, cancelled, lease lost or handed over). */
  ended(clock: MatchClock): void;
}

/** Markup both htmx majors share, or markup per major (the arena with its press form). */
type PerMajor = Child | ((htmx: HtmxMajor) => Child);

/** Event names on the lobby's topic: sockets tell match updates from lobby ones, and one player's notes from both. */
export const MATCH_EVENT = 'match';
export const MATCH_END_EVENT = 'match-end';
export const noteEvent = (userId: string) => `note:${userId}`;

/** "A", "A and B", "A, B and C". */
export function nameList(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * One match of the lobby (SPEC §4.3.1): the countdown, the rounds, the scores. Every step runs in
 * the lobby's serial queue, so it is ordered with joins, leaves and presses. Only this clock
 * measures time: GO is stamped as it is sent, a press as the server receives it.
 */
export class MatchClock {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private roundOpen = false;
  private goAt = 0;
  private winner: string | null = null;
  private readonly reactions = new Map<string, number>();
  private readonly out = new Set<string>();
  private readonly limiters = new Map<string, RateLimiter>();

  private constructor(
    private readonly host: MatchHost,
    private readonly record: MatchRecord,
    private readonly lease: MatchLease,
  ) {
    lease.lost.addEventListener('abort', () => this.halt());
  }

  /** Everyone is ready: a new match with these players, counting down after one beat. */
  static async start(host: MatchHost, players: LobbyPlayer[], lease: MatchLease): Promise<MatchClock> {
    const { config } = host.platform;
    const record: MatchRecord = {
      players: players.map((player) => ({ userId: player.userId, name: player.name, points: 0 })),
      round: 0,
      rounds: config.matchRounds,
      phase: 'countdown',
      status: gameStatus(players),
    };
    const clock = new MatchClock(host, record, lease);
    await host.platform.lobbies.saveMatch(host.lobby, record);
    await clock.publish(MATCH_EVENT, (htmx) => <><ArenaUpdate view={{ stage: 'starting' }} htmx={htmx} /><ScoreboardUpdate players={record.players} /></>);
    clock.after(config.matchTempoMs, () => clock.count(3));
    return clock;
  }

  /** Another clock stopped mid-match (cluster takeover, restart): the countdown or the current round starts again. */
  static async resume(host: MatchHost, record: MatchRecord, lease: MatchLease): Promise<MatchClock> {
    const clock = new MatchClock(host, record, lease);
    const tempo = host.platform.config.matchTempoMs;
    if (record.phase === 'countdown') {
      clock.after(tempo, () => clock.count(3));
    } else {
      await clock.log({ kind: 'match', name: 'Match', text: `The match clock moved to another server; round ${record.round} starts again.` }, <ScoreboardUpdate players={record.players} />);
      clock.after(tempo, () => clock.beginRound(record.round));
    }
    return clock;
  }

  get phase(): MatchRecord['phase'] {
    return this.record.phase;
  }

  /** A press as the server received it (`at` from `host.now()`), already inside the lobby's queue. */
  async press(userId: string, at: number): Promise<void> {
    if (this.stopped || !this.roundOpen) return;
    if (!this.limiterFor(userId).take()) return;
    const player = this.record.players.find((p) => p.userId === userId);
    if (!player) return this.note(userId, 'watching', 'You are watching this match; you can play the next one.');
    if (this.out.has(userId) || this.reactions.has(userId)) return;
    if (this.record.phase === 'wait' || at < this.goAt) {
      player.points -= 1;
      this.out.add(userId);
      await this.note(userId, 'out', 'False start! −1 point; you sit out the rest of this round.');
    } else {
      const reaction = Math.max(0, Math.round(at - this.goAt));
      this.reactions.set(userId, reaction);
      const first = this.winner === null;
      if (first) {
        this.winner = userId;
        player.points += 1;
      }
      // The round stays open for the others' times until everyone still in it has pressed, or 5 beats after GO.
      await this.note(userId, 'pressed', first ? `First! ${reaction} ms (+1)` : `Pressed in ${reaction} ms`);
    }
    if (this.record.players.every((p) => this.out.has(p.userId) || this.reactions.has(p.userId))) await this.endRound();
  }

  /** The lobby changed (join, leave, ready): a countdown whose players are not all ready any more stops; leavers forfeit. */
  async review(): Promise<void> {
    if (this.stopped) return;
    const players = await this.host.platform.lobbies.players(this.host.lobby);
    if (this.record.phase === 'countdown') {
      const same = players.length === this.record.players.length && players.every((p) => p.ready && this.record.players.some((m) => m.userId === p.userId));
      if (!same) await this.cancel();
      return;
    }
    const present = new Set(players.map((p) => p.userId));
    const stayed = this.record.players.filter((p) => present.has(p.userId));
    if (stayed.length === this.record.players.length) return;
    this.record.players = stayed;
    if (stayed.length < 2) return this.finish('Match abandoned', `Match abandoned: fewer than 2 players are left.`);
    await this.host.platform.lobbies.saveMatch(this.host.lobby, this.record);
    await this.publish(MATCH_EVENT, <ScoreboardUpdate players={stayed} />);
    if (this.roundOpen && stayed.every((p) => this.out.has(p.userId) || this.reactions.has(p.userId))) await this.endRound();
  }

  /** The lobby's room is going away on this instance: stop and let another instance take over. */
  stop(): void {
    if (this.stopped) return;
    this.halt();
    this.lease.release().catch(() => {});
  }

  private async count(n: number): Promise<void> {
    this.record.status = String(n);
    await this.host.platform.lobbies.saveMatch(this.host.lobby, this.record);
    await this.publish(MATCH_EVENT, (htmx) => <><StatusUpdate text={String(n)} /><ArenaUpdate view={{ stage: 'countdown', count: n }} htmx={htmx} /></>);
    const tempo = this.host.platform.config.matchTempoMs;
    this.after(tempo, () => (n > 1 ? this.count(n - 1) : this.beginRound(1)));
  }

  private async beginRound(round: number): Promise<void> {
    const { record } = this;
    Object.assign(record, { round, phase: 'wait', status: `Round ${round} of ${record.rounds}` });
    this.reactions.clear();
    this.out.clear();
    this.winner = null;
    this.roundOpen = true;
    await this.host.platform.lobbies.saveMatch(this.host.lobby, record);
    await this.publish(MATCH_EVENT, (htmx) => (
      <>
        <StatusUpdate text={record.status} />
        <ArenaUpdate view={{ stage: 'wait', round, rounds: record.rounds }} htmx={htmx} />
        <PressNote kind="none" />
      </>
    ));
    const tempo = this.host.platform.config.matchTempoMs;
    this.after(tempo * (1 + 3 * this.host.random()), () => this.go());
  }

  private async go(): Promise<void> {
    const { record } = this;
    record.phase = 'go';
    const go = renderPerMajor((htmx) => <ArenaUpdate view={{ stage: 'go', round: record.round, rounds: record.rounds }} htmx={htmx} />);
    // Both renditions before the clock starts: rendering is not part of anyone's reaction time.
    go.for(2);
    go.for(4);
    this.goAt = this.host.now();
    await this.host.platform.hub.publish(this.topic, MATCH_EVENT, go);
    this.after(5 * this.host.platform.config.matchTempoMs, () => this.endRound());
    await this.host.platform.lobbies.saveMatch(this.host.lobby, record);
  }

  private async endRound(): Promise<void> {
    if (!this.roundOpen) return;
    this.roundOpen = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const { record } = this;
    const winner = record.players.find((p) => p.userId === this.winner);
    const headline = winner ? `${winner.name} wins round ${record.round}` : this.out.size ? `Nobody wins round ${record.round}` : `Nobody pressed in round ${record.round}`;
    const times = record.players.map((p) =>
      this.out.has(p.userId) ? `${p.name}: false start (−1)` : this.reactions.has(p.userId) ? `${p.name}: ${this.reactions.get(p.userId)} ms` : `${p.name}: no press`,
    );
    const text = `${headline}${winner ? ' (+1)' : ''}. ${times.join(', ')}.`;
    await this.host.platform.lobbies.saveMatch(this.host.lobby, record);
    await this.log(
      { kind: 'match', name: `Round ${record.round}`, text },
      (htmx) => (
        <>
          <ScoreboardUpdate players={record.players} />
          <ArenaUpdate view={{ stage: 'result', round: record.round, rounds: record.rounds, headline }} htmx={htmx} />
        </>
      ),
    );
    const tempo = this.host.platform.config.matchTempoMs;
    if (record.round < record.rounds) this.after(2 * tempo, () => this.beginRound(record.round + 1));
    else this.after(tempo, () => this.declare());
  }

  private async declare(): Promise<void> {
    const best = ranked(this.record.players);
    const top = best[0]!.points;
    const winners = best.filter((p) => p.points === top);
    const names = nameList(winners.map((p) => p.name));
    const status = winners.length === 1 ? `${names} wins!` : `Draw: ${names}`;
    const points = `${top < 0 ? `−${-top}` : top} point${Math.abs(top) === 1 ? '' : 's'}`;
    const said = winners.length === 1 ? `${names} wins with ${points}` : `a draw between ${names} with ${points} each`;
    await this.finish(status, `Match over: ${said}.`);
  }

  /** The end of a match, won or abandoned: everyone Not Ready, one message with every region. */
  private async finish(status: string, line: string): Promise<void> {
    this.halt();
    const { lobbies } = this.host.platform;
    const players = await lobbies.unreadyAll(this.host.lobby);
    await lobbies.saveMatch(this.host.lobby, null);
    const fragments = (htmx: HtmxMajor) => (
      <>
        <div id="player-list" hx-swap-oob="innerHTML">
          <PlayerList players={players} />
        </div>
        <StatusUpdate text={status} />
        <ArenaUpdate view={{ stage: 'over', headline: status }} htmx={htmx} />
        <ScoreboardUpdate players={this.record.players} />
        <PressNote kind="none" />
      </>
    );
    if (players.length > 0) await this.log({ kind: 'match', name: 'Match', text: line }, fragments, MATCH_END_EVENT);
    await this.lease.release().catch(() => {});
  }

  /** A countdown that lost a player or a ready flag: the arena goes back to waiting, nothing is logged. */
  private async cancel(): Promise<void> {
    this.halt();
    await this.host.platform.lobbies.saveMatch(this.host.lobby, null);
    await this.publish(MATCH_END_EVENT, (htmx) => <><ArenaUpdate view={{ stage: 'idle' }} htmx={htmx} /><ScoreboardUpdate players={[]} /></>);
    await this.lease.release().catch(() => {});
  }

  private halt(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.roundOpen = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.host.ended(this);
  }

  private get topic(): string {
    return `lobby:${this.host.lobby}`;
  }

  private after(ms: number, step: () => Promise<void>): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.host
        .run(async () => {
          if (!this.stopped) await step();
        })
        .catch((error) => {
          // Storage or Redis failed mid-step: let go of the clock; a room that knows of the match takes it up again.
          console.error(`match step of ${this.topic} failed:`, error);
          this.stop();
        });
    }, ms);
  }

  /**
   * One broadcast to the lobby: markup both htmx majors share, rendered once, or (anything with the
   * arena's press form, `ws-send` on htmx 2 and `hx-ws:send` on htmx 4) a function of the major,
   * rendered once per major its clients run (SPEC §8). Never rendered per recipient.
   */
  private async publish(event: string, node: PerMajor): Promise<void> {
    await this.host.platform.hub.publish(this.topic, event, typeof node === 'function' ? renderPerMajor(node) : render(node));
  }

  /** A line in `#chat-log` and, in the same message, whatever else changed with it. */
  private async log(line: NewLogLine, with_: PerMajor, event = MATCH_EVENT): Promise<void> {
    const { lobbies, config } = this.host.platform;
    const { line: stored, droppedId } = await lobbies.appendLog(this.host.lobby, line, config.historyLimit);
    const append = <LogAppend line={stored} droppedId={droppedId} />;
    const perMajor = typeof with_ === 'function' ? with_ : null;
    await this.publish(event, perMajor ? (htmx: HtmxMajor) => <>{perMajor(htmx)}{append}</> : <>{with_ as Child}{append}</>);
  }

  private note(userId: string, kind: NoteKind, text: string): Promise<void> {
    return this.host.platform.hub.publish(this.topic, noteEvent(userId), render(<PressNote kind={kind} text={text} />)).then(() => {});
  }

  private limiterFor(userId: string): RateLimiter {
    let limiter = this.limiters.get(userId);
    if (!limiter) {
      // Only lobby players can press, at most maxLobbyPlayers at a time; forget leavers' buckets now and then.
      if (this.limiters.size > 4 * this.host.platform.config.limits.maxLobbyPlayers) this.limiters.clear();
      const { pressBurst, pressesPerSecond } = this.host.platform.config.limits;
      this.limiters.set(userId, (limiter = new RateLimiter(pressBurst, pressesPerSecond)));
    }
    return limiter;
  }
}
