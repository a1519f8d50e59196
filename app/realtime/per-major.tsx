import type { Child } from 'hono/jsx';
import { render } from '../../components/render.ts';
import { Fragment, type HtmxMajor } from '../ports/fragment.ts';

/**
 * A fragment whose markup depends on the htmx major (components taking an `htmx` prop, e.g. a form
 * with `wsSend(major)` inside a pushed region): rendered lazily, at most once per major, each
 * rendition shared by every client of that major (SPEC §8).
 */
export function renderPerMajor(node: (major: HtmxMajor) => Child): Fragment {
  return Fragment.perMajor((major) => render(node(major)));
}
