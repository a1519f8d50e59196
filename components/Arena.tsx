import type { FC } from 'hono/jsx';
import type { MatchPlayer } from '../app/ports/lobby-state.ts';
import { wsSend, type HtmxMajor } from './htmx.tsx';

/**
 * The match's play area (SPEC §4.3.1). `#arena` is replaced by every broadcast of the match; the
 * press button keeps its id so that /js/arena.js can keep keyboard focus on it across swaps. The
 * press form sends over the lobby's socket, so its markup depends on the htmx major (`htmx` prop,
 * default 2): a broadcast that carries it is rendered per major (`renderPerMajor`).
 */
export type ArenaView =
  | { stage: 'idle' }
  | { stage: 'starting' }
  | { stage: 'countdown'; count: number }
  | { stage: 'wait' | 'go'; round: number; rounds: number }
  | { stage: 'result'; round: number; rounds: number; headline: string }
  | { stage: 'over'; headline: string };

const PressForm: FC<{ label: string; htmx: HtmxMajor }> = ({ label, htmx }) => (
  <form id="press-form" class="press-form" {...wsSend(htmx)}>
    <button type="submit" id="press-button" class="press-button" name="action" value="press">
      {label}
    </button>
  </form>
);

const SIGNAL: Record<ArenaView['stage'], string> = {
  idle: 'When every player is ready, the match starts here.',
  starting: 'Get ready…',
  countdown: '',
  wait: 'Wait for it…',
  go: 'GO!',
  result: '',
  over: '',
};

function signalText(view: ArenaView): string {
  if (view.stage === 'countdown') return String(view.count);
  if (view.stage === 'result' || view.stage === 'over') return view.headline;
  return SIGNAL[view.stage];
}

export const ArenaStage: FC<{ view: ArenaView; htmx?: HtmxMajor }> = ({ view, htmx = 2 }) => (
  <div class={`arena-stage stage-${view.stage}`}>
    {'round' in view ? <p class="arena-round">{`Round ${view.round} of ${view.rounds}`}</p> : null}
    <p class="arena-signal">{signalText(view)}</p>
    {view.stage === 'idle' || view.stage === 'over' ? null : <PressForm label={view.stage === 'go' ? 'Press!' : 'Press'} htmx={htmx} />}
  </div>
);

/** The arena of the page: `#arena`, the per-player `#press-note`, and `#scoreboard`. */
export const ArenaRegions: FC<{ view: ArenaView; players: MatchPlayer[]; note?: string; htmx?: HtmxMajor }> = ({ view, players, note, htmx }) => (
  <div class="match">
    <section id="arena" class="arena" aria-label="Arena">
      <ArenaStage view={view} htmx={htmx} />
    </section>
    <p id="arena-announce" class="visually-hidden" role="status" aria-live="polite">
      {announcement(view)}
    </p>
    <div id="press-note" class="press-note" role="status" aria-live="polite">
      {note ? <p class="note note-watching">{note}</p> : null}
    </div>
    <section class="scoreboard-panel" aria-labelledby="scoreboard-heading">
      <h2 id="scoreboard-heading">Scoreboard</h2>
      <div id="scoreboard">
        <ScoreList players={players} />
      </div>
    </section>
  </div>
);

/** Best first; equal points keep the order the players joined in. */
export function ranked(players: MatchPlayer[]): MatchPlayer[] {
  return players.map((player, index) => ({ player, index })).sort((a, b) => b.player.points - a.player.points || a.index - b.index).map(({ player }) => player);
}

const points = (n: number) => (n < 0 ? `−${-n}` : String(n));

export const ScoreList: FC<{ players: MatchPlayer[] }> = ({ players }) =>
  players.length === 0 ? (
    <p class="scores-empty">No match yet.</p>
  ) : (
    <ol class="scores">
      {ranked(players).map((player) => (
        <li class="score">
          <span class="score-name">{player.name}</span> <span class="score-points">{points(player.points)}</span>
        </li>
      ))}
    </ol>
  );

/** What a screen reader hears as the arena changes (the countdown itself is in #game-status, a live region too). */
function announcement(view: ArenaView): string {
  return view.stage === 'wait' || view.stage === 'go' || view.stage === 'result' ? signalText(view) : '';
}

/** The arena as a match broadcast replaces it; with a press form inside unless idle or over. */
export const ArenaUpdate: FC<{ view: ArenaView; htmx?: HtmxMajor }> = ({ view, htmx }) => (
  <>
    <div id="arena" hx-swap-oob="innerHTML">
      <ArenaStage view={view} htmx={htmx} />
    </div>
    <div id="arena-announce" hx-swap-oob="innerHTML">
      {announcement(view)}
    </div>
  </>
);

export const ScoreboardUpdate: FC<{ players: MatchPlayer[] }> = ({ players }) => (
  <div id="scoreboard" hx-swap-oob="innerHTML">
    <ScoreList players={players} />
  </div>
);

export const StatusUpdate: FC<{ text: string }> = ({ text }) => (
  <div id="game-status" hx-swap-oob="innerHTML">
    {text}
  </div>
);

export type NoteKind = 'pressed' | 'out' | 'watching' | 'none';

/** What one player's own press did; sent to that player's tabs only (or to everyone, empty, as a round begins). */
export const PressNote: FC<{ kind: NoteKind; text?: string }> = ({ kind, text }) => (
  <div id="press-note" hx-swap-oob="innerHTML">
    {kind === 'none' ? null : <p class={`note note-${kind}`}>{text}</p>}
  </div>
);
