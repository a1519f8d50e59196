import { Fragment } from '../../ports/fragment.ts';
import type { MetricView } from '../../../components/Dashboard.tsx';
import { DASHBOARD_TOPIC, type Board, type MetricInput } from '../../realtime/metric-board.tsx';
import { readEventName, type CatchUp, type TopicSource } from '../../realtime/sse-sources.ts';
import { topicObject, type WorkerEnv } from './env.ts';

/** A catch-up as it crosses RPC: fragments as their HTML. */
export interface WireCatchUp {
  position: number;
  events: Array<{ name: string; html: string; position: number | null }>;
}

export const toWire = (catchUp: CatchUp): WireCatchUp => ({
  position: catchUp.position,
  events: catchUp.events.map((e) => ({ name: e.name, html: e.fragment.wire, position: e.position })),
});

const fromWire = (wire: WireCatchUp): CatchUp => ({
  position: wire.position,
  events: wire.events.map((e) => ({ name: e.name, fragment: Fragment.fromWire(e.html), position: e.position })),
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
