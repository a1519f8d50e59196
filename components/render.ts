import type { Child } from 'hono/jsx';

/** Renders a synchronous component tree to its HTML string (components here never await). */
export function render(node: Child): string {
  const html = String(node);
  if (html === '[object Promise]') throw new Error('render() was given an async component');
  return html;
}
