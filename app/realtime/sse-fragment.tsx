import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import { render } from '../../components/render.ts';
import { sseTarget } from '../../components/htmx.tsx';
import { Fragment, type HtmxMajor } from '../ports/fragment.ts';
import { renderPerMajor } from './per-major.tsx';

/**
 * One SSE update, rendered per htmx major (SPEC §8). htmx 2 gets the data of the named `event`,
 * which the element whose `sse-swap` names it takes. htmx 4 swaps only unnamed messages, so it gets
 * the same content as an out-of-band swap of that same element (ids and swap styles from
 * `sseTarget`). `extra` is out-of-band markup both majors swap alike (e.g. the delete of an old toast);
 * it stays at the top level, where htmx 4 looks for it.
 */
export function sseFragment(event: string, content: (major: HtmxMajor) => Child, extra?: Child): Fragment {
  const rest = extra ? render(extra) : '';
  const inner = renderPerMajor(content);
  return Fragment.perMajor((major) => {
    const body = inner.for(major).html;
    if (major === 2) return body + rest;
    const { id, swap } = sseTarget(event);
    return render(
      <div id={id} hx-swap-oob={swap}>
        {raw(body)}
      </div>,
    ) + rest;
  });
}
