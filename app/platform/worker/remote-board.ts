import type { MetricView } from '../../../components/Dashboard.tsx';
import { topicWire } from '../../ports/topic-wire.ts';
import { DASHBOARD_TOPIC, type Board, type MetricInput } from '../../realtime/metric-board.tsx';
import { readEventName, type CatchUp, type TopicSource } from '../../realtime/sse-sources.ts';
import { topicObject, type WorkerEnv } from './env.ts';

/**
 * The dashboard's catch-up as it crosses RPC: each event as a `topicWire` entry (its position as
 * the id, its SSE name as the event), the encoding every topic event crosses in. The dashboard's
 * events always have a position (they are the hub's, `hubSource`).
 */
export interface WireCatchUp {
  position: number;
  events: string[];
}

export const toWire = (catchUp: CatchUp): WireCatchUp => ({
  position: catchUp.position,
  events: catchUp.events.map((e) => {
    if (e.position === null) throw new Error(`the dashboard's event ${e.name} has no position`);
    return topicWire.encode({ id: e.position, event: e.name, fragment: e.fragment });
  }),
});

const fromWire = (wire: WireCatchUp): CatchUp => ({
  position: wire.position,
  events: wire.events.map((entry) => {
    const e = topicWire.decode(entry);
    return { name: e.event, fragment: e.fragment, position: e.id };
  }),
});

/**
 * The dashboard seen from the Worker or a room: the one `MetricBoard` lives in the `dashboard`
 * topic object (its built-in series and refresh timer must not be one per request).
 */
export class RemoteBoard implements Board {
  /** `keep` holds the request open until a touch has reached the board, even after the client left. */
  constructor(
    private readonly env: WorkerEnv,
    private readonly keep: (work: Promise<unknown>) => void = () => {},
  ) {}

  private dashboard() {
    return topicObject(this.env, DASHBOARD_TOPIC);
  }

  touch(): void {
    this.keep(
      this.dashboard()
        .touchBoard()
        .catch((error) => console.error('dashboard touch failed', error)),
    );
  }

  /** Null, or why the board refused them: the topic object answers it as data, passed on as it came. */
  record(inputs: MetricInput[]): Promise<string | null> {
    return this.dashboard().recordMetrics(inputs);
  }

  async drain(): Promise<void> {}

  views(): Promise<MetricView[]> {
    return this.dashboard().boardViews();
  }

  source(): TopicSource {
    return {
      key: 'dashboard',
      hubTopic: DASHBOARD_TOPIC,
      snapshot: async () => fromWire((await this.dashboard().boardCatchUp(null))!),
      replay: async (position) => {
        const wire = await this.dashboard().boardCatchUp(position);
        return wire ? fromWire(wire) : null;
      },
      live: (event) => ({ name: readEventName(event.event).name, fragment: event.fragment, position: event.id }),
    };
  }
}
