import { Hono } from 'hono';
import type { IdentityEnv } from '../identity.ts';
import type { Board } from '../realtime/metric-board.tsx';
import { DashboardPage } from '../../components/Dashboard.tsx';
import type { HtmxMajor } from '../ports/fragment.ts';

/** `GET /dashboard` (SPEC §4.4): every card as it stands now; the `dashboard` topic keeps it live. */
export function dashboardRoutes(board: Board, htmx: HtmxMajor) {
  const app = new Hono<IdentityEnv>();
  app.get('/', async (c) => c.html(<DashboardPage viewer={c.get('viewer')} htmx={htmx} metrics={await board.views()} />));
  return app;
}
