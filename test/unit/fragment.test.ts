import { describe, expect, it } from 'vitest';
import { Fragment, type HtmxMajor, type Rendition } from '../../app/ports/fragment.ts';
import { Channel } from '../../app/realtime/channel.ts';
import { Peer } from '../../app/realtime/peer.ts';
import type { SocketTransport } from '../../app/ports/transport.ts';
import { SocketSession, type SessionPlatform } from '../../app/realtime/socket-session.ts';
import { PerUserLimits } from '../../app/realtime/rate-limit.ts';
import type { SocketRoom } from '../../app/realtime/socket-room.ts';
import { frameEvent } from '../../app/realtime/sse-stream.ts';
import { Stats } from '../../app/realtime/stats.ts';
import { readConfig } from '../../app/config.ts';

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function recordingTransport(): SocketTransport & { sent: Rendition[]; revealed: HtmxMajor[] } {
  const sent: Rendition[] = [];
  const revealed: HtmxMajor[] = [];
  return { sent, revealed, send: (r) => sent.push(r), close: () => {}, bufferedAmount: () => 0, majorRevealed: (m) => void revealed.push(m), rename: () => {} };
}

describe('SPEC 8 a broadcast is rendered once per client format, never per recipient', () => {
  it('renders each major at most once, lazily, however many sockets of it there are', () => {
    const renders: HtmxMajor[] = [];
    const fragment = Fragment.perMajor((major) => (renders.push(major), `<p>${major}</p>`));
    const channel = new Channel(1 << 20, new Stats());
    const twos = Array.from({ length: 50 }, (_, i) => new Peer(`a${i}`, { userId: 'u', name: 'U' }, recordingTransport(), 2));
    for (const peer of twos) channel.add(peer);
    channel.broadcast(fragment);
    expect(renders).toEqual([2]);
    const fours = Array.from({ length: 50 }, (_, i) => new Peer(`b${i}`, { userId: 'u', name: 'U' }, recordingTransport(), 4));
    for (const peer of fours) channel.add(peer);
    channel.broadcast(fragment);
    expect(renders).toEqual([2, 4]);
    const sent = (peers: Peer[]) => new Set(peers.flatMap((p) => (p.transport as ReturnType<typeof recordingTransport>).sent));
    // One Rendition object per major: the bytes (and on Node the frame) are shared by every socket of it.
    expect(sent(twos).size).toBe(1);
    expect(sent(fours).size).toBe(1);
    expect([...sent(fours)][0]!.html).toBe('<p>4</p>');
  });

  it('shares one rendition between the majors when the markup is the same', () => {
    const fragment = new Fragment('<div id="x" hx-swap-oob="innerHTML">same</div>');
    expect(fragment.for(4)).toBe(fragment.for(2));
    expect(fragment.wire).toBe(fragment.html);
  });

  it('shares one rendition when a fragment rendered per major comes out the same for both (an arena with no press form)', () => {
    const renders: HtmxMajor[] = [];
    const fragment = Fragment.perMajor((major) => (renders.push(major), '<div id="arena" hx-swap-oob="innerHTML">over</div>'));
    expect(fragment.for(4)).toBe(fragment.for(2));
    expect(renders).toEqual([4, 2]);
    expect(fragment.wire).toBe('<div id="arena" hx-swap-oob="innerHTML">over</div>');
  });

  it('crosses a process (Redis, a Durable Object feed) with both renditions', () => {
    const fragment = Fragment.perMajor((major) => `<p>${major}\n\u0001</p>`);
    const back = Fragment.fromWire(fragment.wire);
    expect(back.for(2).html).toBe('<p>2\n\u0001</p>');
    expect(back.for(4).html).toBe('<p>4\n\u0001</p>');
    expect(Fragment.fromWire('<p>plain</p>').for(4).html).toBe('<p>plain</p>');
  });

  it('frames SSE as a named event for htmx 2 and an unnamed one for htmx 4, once per rendition', () => {
    const fragment = Fragment.perMajor((major) => (major === 2 ? '<span>1</span>' : '<div id="n" hx-swap-oob="innerHTML">\n<span>1</span></div>'));
    expect(decode(frameEvent('notification-count', fragment, 2))).toBe('event: notification-count\ndata: <span>1</span>\n');
    expect(decode(frameEvent('notification-count', fragment, 4))).toBe('data: <div id="n" hx-swap-oob="innerHTML">\ndata: <span>1</span></div>\n');
    expect(frameEvent('notification-count', fragment, 4)).toBe(frameEvent('notification-count', fragment, 4));
  });
});

describe('SPEC 8 a socket is told apart by what its client sends', () => {
  const config = readConfig({});
  const platform: SessionPlatform = { config, stats: new Stats(), rateLimits: new PerUserLimits(config.limits.rateBurst, config.limits.ratePerSecond), health: () => ({ status: 'ok' }) };
  const room: SocketRoom & { received: unknown[] } = {
    fields: ['message'],
    received: [],
    join: async () => {},
    leave: async () => {},
    receive: async (_peer, input) => void room.received.push(input),
    errorFragment: (text) => Fragment.perMajor((major) => `<p data-major="${major}">${text}</p>`),
  };

  it('switches an unmarked socket to htmx 4 when its first message carries "headers", and keeps it there', async () => {
    const transport = recordingTransport();
    const peer = new Peer('p', { userId: 'u', name: 'U' }, transport);
    const session = new SocketSession(platform, room, peer);
    session.message('{"nope": 1}');
    await new Promise((r) => setTimeout(r, 10));
    expect(transport.sent.at(-1)!.html).toBe('<p data-major="2">Unknown field "nope".</p>');
    session.message(JSON.stringify({ message: 'hi', headers: { 'HX-Request': 'true' } }));
    await new Promise((r) => setTimeout(r, 10));
    expect(peer.major).toBe(4);
    expect(transport.revealed).toEqual([4]);
    session.message('{"nope": 1}');
    await new Promise((r) => setTimeout(r, 10));
    expect(transport.sent.at(-1)!.html).toBe('<p data-major="4">Unknown field "nope".</p>');
    session.message(JSON.stringify({ message: 'back', HEADERS: {} }));
    await new Promise((r) => setTimeout(r, 10));
    expect(peer.major).toBe(2);
    expect(room.received).toHaveLength(2);
  });
});

describe('SPEC 8 components rendered per major', () => {
  it('renders a pushed form with each major\'s send attribute', async () => {
    const { renderPerMajor } = await import('../../app/realtime/per-major.tsx');
    const { jsx } = await import('hono/jsx/jsx-runtime');
    const { wsSend } = await import('../../components/htmx.tsx');
    const PressForm = ({ htmx }: { htmx: 2 | 4 }) => jsx('form', { id: 'press', ...wsSend(htmx), children: 'press' });
    const fragment = renderPerMajor((htmx) => jsx(PressForm, { htmx }));
    expect(fragment.for(2).html).toBe('<form id="press" ws-send="true">press</form>');
    expect(fragment.for(4).html).toBe('<form id="press" hx-ws:send="true">press</form>');
  });
});
