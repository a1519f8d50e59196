/**
 * What a naive chat server builds per message: the same markup as the app's NewMessage fragment
 * (components/Chat.tsx), with a template string, so both sides send the same bytes.
 */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);

/** A user id as long as the app's (128 random bits in base64url: 22 characters), so the baselines send as many bytes. */
export const BASELINE_USER_ID = 'baselineLoadUser000000';

export class NaiveChatHistory {
  private nextId = 1;
  private readonly ids: number[] = [];
  constructor(
    private readonly room: string,
    private readonly historyLimit = 50,
    /** The sender's id, rendered as `data-user-id` like the app's Message. */
    private readonly userId = 'u',
  ) {}

  /** The fragment for one new message; once the window is full, the delete of the one that leaves it and the "Load older" control. */
  messageHtml(name: string, text: string, at = Date.now()): string {
    const id = this.nextId++;
    this.ids.push(id);
    const dropped = this.ids.length > this.historyLimit ? this.ids.shift() : undefined;
    const iso = new Date(at).toISOString();
    const message =
      `<div class="message" id="msg-${id}" data-user-id="${escapeHtml(this.userId)}"><strong>${escapeHtml(name)}:</strong> ${escapeHtml(text)} ` +
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
