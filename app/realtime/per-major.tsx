import type { Child } from 'hono/jsx';
import { render } from '../../components/render.ts';
import { ForMajor } from '../../components/htmx.tsx';
import { Fragment } from './fragment.ts';

/**
 * A fragment whose markup depends on the htmx major (components that call `useHtmxMajor`, e.g. a form
 * with `wsSend(major)` inside a pushed region): rendered lazily, at most once per major, each
 * rendition shared by every client of that major (SPEC §8).
 */
export function renderPerMajor(node: Child): Fragment {
  return Fragment.perMajor((major) => render(<ForMajor major={major}>{node}</ForMajor>));
}
