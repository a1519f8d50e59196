import type { FC } from 'hono/jsx';
import type { LobbyLogLine, LobbyPlayer, MatchRecord } from '../app/ports/lobby-state.ts';
import { ArenaRegions, ArenaUpdate, PressNote, ScoreboardUpdate, type ArenaView } from './Arena.tsx';
import { Layout } from './Layout.tsx';
import { wsConnect, wsSend, type HtmxMajor } from './htmx.tsx';
import type { Viewer } from './Header.tsx';

export const PlayerList: FC<{ players: LobbyPlayer[] }> = ({ players }) => (
  <>
    {players.map((player) => (
      <div class="player">{`${player.name} (${player.ready ? 'Ready' : 'Not Ready'})`}</div>
    ))}
  </>
);

/** The game starts once at least two players are all ready; while a match is played, it says how the match stands. */
export function gameStatus(players: LobbyPlayer[], match?: MatchRecord | null): string {
  if (match && match.phase !== 'countdown') return match.status;
  const count = players.length;
  if (count >= 2 && players.every((player) => player.ready)) return `All ${count} players ready — starting!`;
  if (count === 1) return '1 player connected — waiting for more players';
  return `${count} players connected — waiting for all to be ready`;
}

const LOG_TEXT = {
  joined: 'has joined the lobby.',
  left: 'has left the lobby.',
  ready: 'is ready.',
  unready: 'is not ready.',
} as const;

/** Each line has an id so that the broadcast can delete the one that falls out of the window. */
export const LogLine: FC<{ line: LobbyLogLine }> = ({ line }) => (
  <div class="log-line" id={`log-${line.id}`}>
    {line.kind === 'message' ? (
      <p>
        <strong>{line.name}:</strong> {line.text}
      </p>
    ) : line.kind === 'match' ? (
      <p class="match-line">
        <strong>{line.name}:</strong> {line.text}
      </p>
    ) : (
      <p>
        <em>{`${line.name} ${LOG_TEXT[line.kind]}`}</em>
      </p>
    )}
  </div>
);

export interface LobbyView {
  players: LobbyPlayer[];
  log: LobbyLogLine[];
  /** The match being played, if any. */
  match?: MatchRecord | null;
}

/** How the arena looks for someone who arrives now. */
export function arenaView(match: MatchRecord | null | undefined): ArenaView {
  if (!match) return { stage: 'idle' };
  if (match.phase === 'countdown') return /^\d$/.test(match.status) ? { stage: 'countdown', count: Number(match.status) } : { stage: 'starting' };
  return { stage: match.phase, round: match.round, rounds: match.rounds };
}

/** A lobby user who is not one of the match's players watches it. */
export function watchNote(match: MatchRecord | null | undefined, userId: string): string | undefined {
  if (!match || match.players.some((p) => p.userId === userId)) return undefined;
  return 'You are watching this match; you can play the next one.';
}

export const LobbyPage: FC<{ viewer: Viewer; lobby: string; htmx?: HtmxMajor } & LobbyView> = ({ viewer, lobby, players, log, htmx = 2 }) => (
  <Layout title={`Lobby ${lobby}`} viewer={viewer} page="lobby" htmx={htmx}>
    {viewer.name ? (
      <div class="lobby" {...wsConnect(htmx, `/lobby/${lobby}/ws`)}>
        <section class="lobby-main room-main" aria-labelledby="room-title">
          <div class="room-heading">
            <h1 id="room-title" class="room-title">Lobby {lobby}</h1>
            <div id="game-status" class="game-status stale-when-offline" role="status">
              {gameStatus(players)}
            </div>
          </div>
          <ArenaRegions view={{ stage: 'idle' }} players={[]} htmx={htmx} />
          <div class="log-frame">
            <div id="chat-log" class="log stale-when-offline" role="log" aria-live="polite" aria-label={`Lobby ${lobby} log`} tabindex={0}>
              {log.map((line) => (
                <LogLine line={line} />
              ))}
            </div>
          </div>
          <ol id="pending-messages" class="pending-list" aria-label="Waiting to be sent" hidden></ol>
          <div id="chat-error" role="alert"></div>
          <form id="lobby-chat-form" {...wsSend(htmx)} class="composer">
            <label for="lobby-message-input" class="visually-hidden">
              Message
            </label>
            <input id="lobby-message-input" name="message" required maxlength={2000} autocomplete="off" placeholder="Say something to the lobby" />
            <button type="submit" class="button primary">
              Send
            </button>
          </form>
        </section>
        <aside class="side-panel players-panel" aria-labelledby="players-title">
          <h2 id="players-title">Players</h2>
          <div id="player-list" class="stale-when-offline">
            <PlayerList players={players} />
          </div>
          <form id="ready-form" {...wsSend(htmx)}>
            <button type="submit" name="action" value="ready">
              Toggle ready
            </button>
          </form>
        </aside>
      </div>
    ) : (
      <div class="empty-state">
        <h1>Lobby {lobby}</h1>
        <p class="needs-name">Choose a name above to join lobby {lobby}.</p>
      </div>
    )}
  </Layout>
);

/** `#player-list` and `#game-status`, which every join, leave, ready change and snapshot replaces. */
export const PlayerRegions: FC<{ players: LobbyPlayer[]; match?: MatchRecord | null }> = ({ players, match }) => (
  <>
    <div id="player-list" hx-swap-oob="innerHTML">
      <PlayerList players={players} />
    </div>
    <div id="game-status" hx-swap-oob="innerHTML">
      {gameStatus(players, match)}
    </div>
  </>
);

/** Sent to one socket on every (re)connect: all three regions as they are now. */
export const LobbySnapshot: FC<LobbyView> = ({ players, log, match }) => (
  <>
    <PlayerRegions players={players} match={match} />
    <div id="chat-log" hx-swap-oob="innerHTML">
      {log.map((line) => (
        <LogLine line={line} />
      ))}
    </div>
  </>
);

/** The arena and scoreboard as they are now, for every socket at once (a cluster's resync; rendered per major). */
export const ArenaSnapshot: FC<{ match: MatchRecord | null; htmx?: HtmxMajor }> = ({ match, htmx }) => (
  <>
    <ArenaUpdate view={arenaView(match)} htmx={htmx} />
    <ScoreboardUpdate players={match?.players ?? []} />
  </>
);

/** Sent right after the lobby snapshot, to the one socket in its own major: the arena, scoreboard and (for a watcher) their note. */
export const MatchSnapshot: FC<{ match: MatchRecord | null; userId: string; htmx?: HtmxMajor }> = ({ match, userId, htmx }) => {
  const note = watchNote(match, userId);
  return (
    <>
      <ArenaUpdate view={arenaView(match)} htmx={htmx} />
      <ScoreboardUpdate players={match?.players ?? []} />
      {note ? <PressNote kind="watching" text={note} /> : <PressNote kind="none" />}
    </>
  );
};

/** A new log line, plus the delete of the line that fell out of the window. */
export const LogAppend: FC<{ line: LobbyLogLine; droppedId: number | null }> = ({ line, droppedId }) => (
  <>
    <div id="chat-log" hx-swap-oob="beforeend">
      <LogLine line={line} />
    </div>
    {droppedId !== null ? <div id={`log-${droppedId}`} hx-swap-oob="delete"></div> : null}
  </>
);

/** Join, leave and ready changes: one message that updates all three regions. */
export const LobbyUpdate: FC<{ players: LobbyPlayer[]; line: LobbyLogLine; droppedId: number | null; match?: MatchRecord | null }> = ({
  players,
  line,
  droppedId,
  match,
}) => (
  <>
    <PlayerRegions players={players} match={match} />
    <LogAppend line={line} droppedId={droppedId} />
  </>
);
