import type { FC } from 'hono/jsx';
import type { LobbyLogLine, LobbyPlayer } from '../app/realtime/lobby-state.ts';
import { Layout } from './Layout.tsx';
import type { Viewer } from './Header.tsx';

export const PlayerList: FC<{ players: LobbyPlayer[] }> = ({ players }) => (
  <>
    {players.map((player) => (
      <div class="player">{`${player.name} (${player.ready ? 'Ready' : 'Not Ready'})`}</div>
    ))}
  </>
);

/** The game starts once at least two players are all ready. */
export function gameStatus(players: LobbyPlayer[]): string {
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
}

export const LobbyPage: FC<{ viewer: Viewer; lobby: string } & LobbyView> = ({ viewer, lobby, players, log }) => (
  <Layout title={`Lobby ${lobby}`} viewer={viewer} page="lobby">
    {viewer.name ? (
      <div class="lobby" hx-ext="ws" ws-connect={`/lobby/${lobby}/ws`}>
        <section class="lobby-main room-main" aria-labelledby="room-title">
          <div class="room-heading">
            <h1 id="room-title" class="room-title">Lobby {lobby}</h1>
            <div id="game-status" class="game-status stale-when-offline" role="status">
              {gameStatus(players)}
            </div>
          </div>
          <div class="log-frame">
            <div id="chat-log" class="log stale-when-offline" role="log" aria-live="polite" aria-label={`Lobby ${lobby} log`} tabindex={0}>
              {log.map((line) => (
                <LogLine line={line} />
              ))}
            </div>
          </div>
          <ol id="pending-messages" class="pending-list" aria-label="Waiting to be sent" hidden></ol>
          <div id="chat-error" role="alert"></div>
          <form id="lobby-chat-form" ws-send class="composer">
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
          <form id="ready-form" ws-send>
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
export const PlayerRegions: FC<{ players: LobbyPlayer[] }> = ({ players }) => (
  <>
    <div id="player-list" hx-swap-oob="innerHTML">
      <PlayerList players={players} />
    </div>
    <div id="game-status" hx-swap-oob="innerHTML">
      {gameStatus(players)}
    </div>
  </>
);

/** Sent to one socket on every (re)connect: all three regions as they are now. */
export const LobbySnapshot: FC<LobbyView> = ({ players, log }) => (
  <>
    <PlayerRegions players={players} />
    <div id="chat-log" hx-swap-oob="innerHTML">
      {log.map((line) => (
        <LogLine line={line} />
      ))}
    </div>
  </>
);

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
export const LobbyUpdate: FC<{ players: LobbyPlayer[]; line: LobbyLogLine; droppedId: number | null }> = ({ players, line, droppedId }) => (
  <>
    <PlayerRegions players={players} />
    <LogAppend line={line} droppedId={droppedId} />
  </>
);
