import { describe, expect, it } from 'vitest';
import { ChatPage } from '../../components/Chat.tsx';
import { render } from '../../components/render.ts';
import { PageShells } from '../../app/routes/page-shell.ts';
import type { HtmxMajor } from '../../app/ports/fragment.ts';

const probe = { userId: 'probe-"user"', name: `Probe <&"'> Name`, list: '<div class="probe">history &amp; more</div>' };
const shells = () => new PageShells({ userId: 'text', name: 'text', list: 'markup' }, probe);

const chatPage = (room: string, htmx: HtmxMajor, named: boolean) => (parts: Record<'userId' | 'name' | 'list', string>) =>
  render(<ChatPage viewer={{ userId: parts.userId, name: named ? parts.name : null }} htmx={htmx} room={room} listHtml={parts.list} />);

const viewers = [
  { userId: 'u-1', name: 'Ann' },
  { userId: '0b7c9a4e-5f1d-4c2e-9a77-1234567890ab', name: '<script>alert("x")</script>' },
  { userId: 'host|user&42', name: `O'Brien & "Sons" > all` },
  { userId: 'u-3', name: 'Zoë 日本語 🎉' },
  { userId: 'u-4', name: '\u0000 1 \u0000 not a mark' },
  { userId: 'u-5', name: 'x'.repeat(32) },
];
const lists = ['', '<div id="load-older"></div><div id="msg-1" class="message"><strong>Ann</strong> hi &lt;b&gt;</div>', '\u00000\u0000 raw'];

describe('chat pages put together from a shell per shape', () => {
  it('are byte for byte the page a direct render gives, for every viewer, list and major', () => {
    const pages = shells();
    for (const htmx of [2, 4] as const)
      for (const named of [true, false])
        for (const viewer of viewers)
          for (const list of lists) {
            const draw = chatPage('general', htmx, named);
            const parts = { userId: viewer.userId, name: viewer.name, list };
            expect(pages.page(`${htmx}:${named}:general`, draw, parts)).toBe(draw(parts));
          }
    // One shell per shape, however many requests.
    expect(pages.built).toBe(4);
  });

  it('escape the viewer once, never let their markup in', () => {
    const page = shells().page('x', chatPage('general', 2, true), { userId: 'u', name: '<img src=x onerror=alert(1)>', list: '' });
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('render per request a shape that does more with a part than insert it', () => {
    const pages = shells();
    const shouting = (parts: Record<'userId' | 'name' | 'list', string>) => `<p data-user="${parts.userId}">${parts.name.toUpperCase()}</p>${parts.list}`;
    const parts = { userId: 'u', name: 'ann', list: '<i>l</i>' };
    expect(pages.page('shout', shouting, parts)).toBe('<p data-user="u">ANN</p><i>l</i>');
    expect(pages.page('shout', shouting, { ...parts, name: 'bob' })).toBe('<p data-user="u">BOB</p><i>l</i>');
    expect(pages.built).toBe(1);
  });

  it('keep a bounded number of shapes (one cookie visiting thousands of rooms)', () => {
    const pages = new PageShells({ userId: 'text', name: 'text', list: 'markup' }, probe, 8);
    for (let i = 0; i < 50; i++) pages.page(`room-${i}`, chatPage(`room-${i}`, 2, true), { userId: 'u', name: 'Ann', list: '' });
    pages.page('room-0', chatPage('room-0', 2, true), { userId: 'u', name: 'Ann', list: '' });
    // room-0 had been forgotten: built again.
    expect(pages.built).toBe(51);
  });
});
