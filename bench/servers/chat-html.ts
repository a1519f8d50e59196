/**
 * What a naive chat server builds per message: the same markup as the app's NewMessage fragment
 * (components/Chat.tsx), with a template string, so both sides send the same bytes.
 */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);

export class NaiveChatHistory {
  private nextId = 1;
  private readonly ids: number[] = [];
  constructor(
    private readonly room: string,
    private readonly historyLimit = 50,
  ) {}

  /** The fragment for one new message; once the window is full, the delete of the one that leaves it and the "Load older" control. */
  messageHtml(name: string, text: string, at = Date.now()): string {
    const id = this.nextId++;
    this.ids.push(id);
    const dropped = this.ids.length > this.historyLimit ? this.ids.shift() : undefined;
    const iso = new Date(at).toISOString();
    const message =
      `<div class="message" id="msg-${id}"><strong>${escapeHtml(name)}:</strong> ${escapeHtml(text)} ` +
      `<time datetime="${iso}">${iso.slice(11, 16)} UTC</time></div>`;
    const drop =
      dropped === undefined
        ? ''
        : `<div id="msg-${dropped}" hx-swap-oob="delete"></div>` +
          `<div id="load-older" hx-swap-oob="outerHTML"><button type="button" hx-get="/chat/${this.room}/history?before=${id}" ` +
          `hx-target="#load-older" hx-swap="outerHTML">Load older</button></div>`;
    return `<div id="chat-messages" hx-swap-oob="beforeend">${message}</div>${drop}`;
  }
}
