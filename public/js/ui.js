// What a person sees on every page (SPEC 4.7): logs that open at the newest line and follow it,
// toasts that leave by themselves, messages typed while offline kept as pending and sent once,
// the offline banner, own messages and mentions marked, the theme toggle and the rename form.
//
// Framework-agnostic on purpose: the DOM is watched with MutationObservers, and everything that
// depends on the htmx version is in the ADAPTER block at the top (the only place to change for
// another htmx major).
(function () {
  'use strict';

  // ---- ADAPTER: the htmx-specific hooks ------------------------------------------------------
  var adapter = {
    // Calls fn(socket) for every WebSocket the page's ws extension opens.
    onSocket: function (fn) {
      if (!window.htmx) return;
      // htmx 4's hx-ws opens its sockets itself and announces each one once it is open.
      if (String(htmx.version).charAt(0) === '4') {
        document.addEventListener('htmx:ws:after:connection', function (event) { fn(event.detail.connection.socket); });
        return;
      }
      var create = htmx.createWebSocket || function (url) { return new WebSocket(url, []); };
      htmx.createWebSocket = function (url) {
        var socket = create(url);
        fn(socket);
        return socket;
      };
    },
    // Calls fn(message) before a WebSocket message is swapped in; fn(null) after.
    onSocketMessage: function (before, after) {
      document.addEventListener('htmx:wsBeforeMessage', function (event) { before(String(event.detail.message || '')); });
      document.addEventListener('htmx:wsAfterMessage', function () { after(); });
    },
    // Quicker first reconnects: 0.25 s, 0.5 s, 1 s … up to 30 s, with jitter.
    configureReconnect: function () {
      if (!window.htmx) return;
      if (String(htmx.version).charAt(0) === '4') {
        // hx-ws waits reconnectDelay × 2^(attempt−1), capped, ± reconnectJitter of it: 150–250 ms first,
        // 18–30 s at most. A hidden tab keeps its socket, as on htmx 2: closing it would make a lobby
        // player leave and a chat reader go offline while they only looked at another tab.
        htmx.config.ws = Object.assign({}, htmx.config.ws, {
          reconnectDelay: 200,
          reconnectMaxDelay: 24000,
          reconnectJitter: 0.25,
          pauseOnBackground: false,
        });
        return;
      }
      htmx.config.wsReconnectDelay = function (retryCount) {
        var base = Math.min(30000, 250 * Math.pow(2, Math.min(retryCount, 7)));
        return base / 2 + Math.random() * base / 2;
      };
    },
    // htmx 4 logs every event whose detail carries an `error` with console.error: each refused
    // reconnect of hx-ws ("htmx:ws:error: [object Event]") and hx-sse ("htmx:sse:error: Failed to
    // fetch"). Those two, when the error is a connection failure (the socket's error Event, fetch's
    // TypeError), are dispatched the same way without the console line; every other error still logs.
    quietConnectionErrors: function () {
      if (!window.htmx || String(htmx.version).charAt(0) !== '4') return;
      var QUIET = { 'htmx:ws:error': true, 'htmx:sse:error': true };
      htmx.registerExtension('switchboard-quiet-reconnects', {
        init: function (api) {
          var trigger = api.triggerHtmxEvent;
          api.triggerHtmxEvent = function (elt, name, detail, bubbles) {
            var error = detail && detail.error;
            if (QUIET[name] && (error instanceof Event || error instanceof TypeError)) return htmx.trigger(elt, name, detail, bubbles);
            return trigger.apply(this, arguments);
          };
        },
      });
    },
  };

  // htmx logs the `error` of an error event with console.error, which prints "[object Event]" on
  // every failed reconnect. The handler the extension installs still runs (its htmx:wsError /
  // htmx:sseError events fire and it reconnects); it just gets no Event object to log.
  function quietErrors(source) {
    var handler = null;
    Object.defineProperty(source, 'onerror', {
      configurable: true,
      get: function () { return handler; },
      set: function (fn) {
        handler = fn;
        source.addEventListener('error', function () { if (handler === fn) fn.call(source, ''); });
      },
    });
  }
  window.switchboardQuietErrors = quietErrors;

  var ME = (document.querySelector('header[data-user-id]') || document.body).getAttribute('data-user-id') || '';
  function myName() {
    var strong = document.querySelector('#identity .user-name strong');
    return strong ? strong.textContent : '';
  }

  // ---- Connection state: banner, dimmed regions --------------------------------------------
  var socket = null;
  var online = { ws: null, sse: null };
  function setConnection() {
    var offline = online.ws === false || online.sse === false;
    document.documentElement.setAttribute('data-connection', offline ? 'offline' : 'online');
    var banner = document.getElementById('offline-banner');
    if (banner) banner.hidden = !offline;
  }
  document.addEventListener('htmx:sseOpen', function () { online.sse = true; setConnection(); });
  document.addEventListener('htmx:sseError', function () { online.sse = false; setConnection(); });

  // ---- Logs: open at the newest line, follow at the bottom, "New messages" otherwise ---------
  var NEAR = 48;
  function atBottom(log) { return log.scrollHeight - log.scrollTop - log.clientHeight < NEAR; }
  function toBottom(log) { log.scrollTop = log.scrollHeight; }

  function setUpLog(log) {
    var pinned = true;
    var jump = document.createElement('button');
    jump.type = 'button';
    jump.className = 'jump-latest';
    jump.hidden = true;
    jump.textContent = 'New messages ↓';
    jump.addEventListener('click', function () {
      toBottom(log);
      jump.hidden = true;
      log.focus({ preventScroll: true });
    });
    log.parentNode.appendChild(jump);
    log.addEventListener('scroll', function () {
      pinned = atBottom(log);
      if (pinned) jump.hidden = true;
    }, { passive: true });
    // Fires before the browser lays the new lines out, so "pinned" is still the reader's position.
    new MutationObserver(function (mutations) {
      var mine = false;
      var added = false;
      mutations.forEach(function (m) {
        m.addedNodes.forEach(function (node) {
          if (node.nodeType !== 1 || !node.isConnected) return;
          decorate(node);
          // Older history goes in at the top; only lines at the end are new.
          if (node.nextElementSibling) return;
          added = true;
          if (isMine(node)) mine = true;
        });
      });
      if (!added) return;
      if (mine) settlePending();
      if (pinned || mine) {
        toBottom(log);
        pinned = true;
        jump.hidden = true;
      } else {
        jump.hidden = false;
      }
    }).observe(log, { childList: true });
    decorateAll(log);
    toBottom(log);
    // Fonts and local times may change heights after the first layout.
    window.addEventListener('load', function () { if (pinned) toBottom(log); });
  }

  // ---- Messages: own, mentions, grouped by author -----------------------------------------
  function isMine(node) {
    if (node.classList.contains('message')) return !!ME && node.getAttribute('data-user-id') === ME;
    // Lobby lines carry the author's name only.
    var strong = node.classList.contains('log-line') && node.querySelector('strong');
    return !!strong && !!myName() && strong.textContent === myName() + ':';
  }
  function mentionsMe(text) {
    var name = myName();
    if (!name) return false;
    var escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp('(^|[^\\w@])@' + escaped + '(?=$|[\\s.,!?;:)\\]}\'"])', 'i').test(text);
  }
  var GROUP_MS = 5 * 60 * 1000;
  function timeOf(node) {
    var t = node.querySelector && node.querySelector('time[datetime]');
    return t ? Date.parse(t.getAttribute('datetime')) : NaN;
  }
  function decorate(node) {
    if (!node.classList) return;
    if (node.classList.contains('message')) {
      node.classList.toggle('own', isMine(node));
      node.classList.toggle('mention', !isMine(node) && mentionsMe(node.textContent || ''));
      var prev = node.previousElementSibling;
      var grouped = prev && prev.classList.contains('message') &&
        prev.getAttribute('data-user-id') === node.getAttribute('data-user-id') &&
        Math.abs(timeOf(node) - timeOf(prev)) < GROUP_MS;
      node.classList.toggle('continued', !!grouped);
      var next = node.nextElementSibling;
      if (next && next.classList.contains('message')) decorate(next);
    } else if (node.classList.contains('log-line')) {
      node.classList.toggle('own', isMine(node));
      node.classList.toggle('event', !node.querySelector('strong'));
    }
  }
  function decorateAll(root) {
    root.querySelectorAll('.message, .log-line').forEach(decorate);
  }

  // ---- Live regions: a reconnect snapshot is not read out again ---------------------------
  // The server sends a snapshot as an innerHTML swap of the log; while it lands the log is
  // aria-live="off", so a screen reader announces only lines appended afterwards.
  var SNAPSHOT = /id="(chat-messages|chat-log)" hx-swap-oob="innerHTML"/;
  var quieted = [];
  var restoreTimer = null;
  function restoreLive() {
    clearTimeout(restoreTimer);
    restoreTimer = null;
    quieted.splice(0).forEach(function (log) { log.setAttribute('aria-live', 'polite'); });
  }
  adapter.onSocketMessage(function (message) {
    var match = SNAPSHOT.exec(message);
    // The next message after a snapshot is news: the log is live again before it lands.
    if (!match) return restoreLive();
    var log = document.getElementById(match[1]);
    if (!log) return;
    log.setAttribute('aria-live', 'off');
    quieted.push(log);
  }, function () {
    // Left off for a moment after the swap, so the snapshot's own changes are not read out.
    if (quieted.length && !restoreTimer) restoreTimer = setTimeout(restoreLive, 250);
  });

  // ---- Pending messages: typed while disconnected, sent once on reconnect ------------------
  // htmx 2's ws extension would queue such a send itself and leave the text in the input with no
  // sign. Instead a submit while the socket is not open never reaches it: the text is shown as
  // pending, and re-submitted through the same form once the socket is open again.
  var MAX_PENDING = 10;
  var pending = [];
  function pendingList() { return document.getElementById('pending-messages'); }
  function renderPending() {
    var list = pendingList();
    if (!list) return;
    list.hidden = pending.length === 0;
    list.replaceChildren.apply(list, pending.map(function (item) {
      var li = document.createElement('li');
      li.className = 'pending' + (item.sent ? ' sending' : '');
      var text = document.createElement('span');
      text.className = 'pending-text';
      text.textContent = item.text;
      var state = document.createElement('span');
      state.className = 'pending-state';
      state.textContent = item.sent ? 'Sending…' : 'Not sent yet: waiting for the connection';
      li.append(text, state);
      return li;
    }));
  }
  function socketOpen() { return !!socket && socket.readyState === 1; }
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.hasAttribute || !(form.hasAttribute('ws-send') || form.hasAttribute('hx-ws:send'))) return;
    if (socketOpen() || form.dataset.flushing) return;
    var input = form.querySelector('input[name=message]');
    if (!input) {
      // A ready toggle means nothing once stale; it is not kept.
      event.preventDefault();
      event.stopImmediatePropagation();
      showError('You are offline; try again when the connection is back.');
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    var text = input.value.trim();
    if (!text) return;
    if (pending.length >= MAX_PENDING) {
      showError('You have ' + MAX_PENDING + ' messages waiting for the connection; wait for it to come back.');
      return;
    }
    pending.push({ text: text, form: form.id, sent: false });
    input.value = '';
    renderPending();
  }, true);
  function showError(text) {
    var box = document.getElementById('chat-error');
    if (!box) return;
    var p = document.createElement('p');
    p.className = 'error';
    p.textContent = text;
    box.replaceChildren(p);
  }
  function flushPending() {
    pending.forEach(function (item) {
      if (item.sent || !socketOpen()) return;
      var form = document.getElementById(item.form);
      var input = form && form.querySelector('input[name=message]');
      if (!input) return;
      var draft = input.value;
      input.value = item.text;
      form.dataset.flushing = '1';
      form.requestSubmit();
      delete form.dataset.flushing;
      input.value = draft;
      item.sent = true;
    });
    renderPending();
  }
  // Each of my messages that arrives settles the oldest pending one that was sent.
  function settlePending() {
    for (var i = 0; i < pending.length; i++) {
      if (pending[i].sent) { pending.splice(i, 1); break; }
    }
    renderPending();
  }
  // The form reset after a send would also clear a draft typed meanwhile; only sent forms are reset.
  adapter.onSocket(function (ws) {
    socket = ws;
    ws.addEventListener('open', function () {
      if (socket !== ws) return;
      online.ws = true;
      setConnection();
      setTimeout(flushPending, 0);
    });
    ws.addEventListener('close', function () {
      if (socket !== ws) return;
      online.ws = false;
      setConnection();
    });
    quietErrors(ws);
    // A socket handed over already open (htmx 4) has had its open event.
    if (ws.readyState === 1) {
      online.ws = true;
      setConnection();
      setTimeout(flushPending, 0);
    }
  });
  adapter.configureReconnect();
  adapter.quietConnectionErrors();

  // ---- Toasts: level in words, close button, link to the source, ~6 s lifetime -------------
  var TOAST_MS = 6000;
  var LEVELS = { info: 'Info', success: 'Success', warning: 'Warning', error: 'Error' };
  var MENTION = / mentioned you in #([a-z0-9_-]{1,64}): /;
  function toastLevel(toast) {
    var m = /toast-(info|success|warning|error)/.exec(toast.className);
    return m ? m[1] : 'info';
  }
  function setUpToast(toast) {
    if (toast.dataset.ready) return;
    toast.dataset.ready = '1';
    var level = toastLevel(toast);
    toast.setAttribute('data-level', LEVELS[level]);
    var text = toast.textContent || '';
    var room = MENTION.exec(text);
    // The text becomes a link to its source (textContent is unchanged); the level is shown by CSS
    // from data-level, the close button is labelled and empty, so neither adds to the text.
    var link = document.createElement('a');
    link.className = 'toast-link';
    link.href = room ? '/chat/' + room[1] : '/notifications';
    link.setAttribute('aria-label', LEVELS[level] + ': ' + text);
    while (toast.firstChild) link.appendChild(toast.firstChild);
    var close = document.createElement('button');
    close.type = 'button';
    close.className = 'toast-close';
    close.setAttribute('aria-label', 'Dismiss notification');
    close.addEventListener('click', function () { dismiss(toast); });
    toast.append(link, close);
    var timer = null;
    var left = TOAST_MS;
    var started = 0;
    function start() {
      if (timer || toast.hidden) return;
      started = Date.now();
      timer = setTimeout(function () { dismiss(toast); }, left);
    }
    function pause() {
      if (!timer) return;
      clearTimeout(timer);
      timer = null;
      left = Math.max(1000, left - (Date.now() - started));
    }
    var hovered = false;
    var focused = false;
    toast.addEventListener('mouseenter', function () { hovered = true; pause(); });
    toast.addEventListener('mouseleave', function () { hovered = false; if (!focused) start(); });
    toast.addEventListener('focusin', function () { focused = true; pause(); });
    toast.addEventListener('focusout', function () { focused = false; if (!hovered) start(); });
    toast.addEventListener('keydown', function (event) { if (event.key === 'Escape') dismiss(toast); });
    start();
  }
  // Dismissed toasts stay in the DOM, hidden: the server deletes each one five toasts later, and an
  // out-of-band delete of a missing element would be an error.
  function dismiss(toast) {
    var hadFocus = toast.contains(document.activeElement);
    toast.hidden = true;
    toast.classList.add('dismissed');
    if (hadFocus) {
      var bell = document.querySelector('.bell');
      if (bell) bell.focus();
    }
  }
  function watchToasts() {
    var box = document.getElementById('toast-container');
    if (!box) return;
    box.querySelectorAll('.toast').forEach(setUpToast);
    new MutationObserver(function () { box.querySelectorAll('.toast').forEach(setUpToast); }).observe(box, { childList: true });
  }

  // ---- Unread badge: hidden at 0 ----------------------------------------------------------
  function watchBadge() {
    var badge = document.getElementById('notif-count');
    if (!badge) return;
    var update = function () { badge.setAttribute('data-count', (badge.textContent || '').trim() || '0'); };
    update();
    new MutationObserver(update).observe(badge, { childList: true, subtree: true, characterData: true });
  }

  // ---- Lobby players: ready state as a data attribute for the badge style -------------------
  function watchPlayers() {
    var list = document.getElementById('player-list');
    if (!list) return;
    var update = function () {
      list.querySelectorAll('.player').forEach(function (p) {
        p.setAttribute('data-ready', /\(Ready\)$/.test(p.textContent || '') ? 'true' : 'false');
        p.classList.toggle('own', (p.textContent || '').indexOf(myName() + ' (') === 0);
      });
    };
    update();
    new MutationObserver(update).observe(list, { childList: true });
  }

  // ---- Theme toggle (remembered) ----------------------------------------------------------
  function effectiveTheme() {
    var chosen = document.documentElement.getAttribute('data-theme');
    if (chosen) return chosen;
    return window.matchMedia && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }
  function labelToggle(button) {
    var next = effectiveTheme() === 'dark' ? 'light' : 'dark';
    button.setAttribute('aria-label', 'Switch to ' + next + ' theme');
    button.title = 'Switch to ' + next + ' theme';
    button.setAttribute('data-theme-now', effectiveTheme());
  }
  function setUpThemeToggle() {
    var button = document.getElementById('theme-toggle');
    if (!button) return;
    labelToggle(button);
    button.addEventListener('click', function () {
      var next = effectiveTheme() === 'dark' ? 'light' : 'dark';
      document.documentElement.setAttribute('data-theme', next);
      try { localStorage.setItem('switchboard-theme', next); } catch (e) { /* not remembered */ }
      labelToggle(button);
    });
    if (window.matchMedia) matchMedia('(prefers-color-scheme: dark)').addEventListener('change', function () { labelToggle(button); });
  }

  // ---- Rename: focus follows the form; the header is swapped as a whole ----------------------
  function watchIdentity() {
    var header = document.querySelector('header[data-user-id]');
    if (!header) return;
    new MutationObserver(function (mutations) {
      var identity = document.getElementById('identity');
      if (!identity || !mutations.some(function (m) { return Array.prototype.indexOf.call(m.addedNodes, identity) >= 0; })) return;
      var invalid = identity.querySelector('[aria-invalid=true]');
      if (invalid) return invalid.focus();
      var summary = identity.querySelector('summary');
      if (summary && document.activeElement === document.body) summary.focus();
      // Other tabs of this browser show the new name in their headers too (storage event below).
      try { localStorage.setItem('switchboard-name', JSON.stringify({ user: ME, name: myName(), at: Date.now() })); } catch (e) { /* not shared */ }
      // Messages and players already on screen may now be (or stop being) mentions of me.
      document.querySelectorAll('#chat-messages, #chat-log').forEach(decorateAll);
    }).observe(header, { childList: true });
    window.addEventListener('storage', function (event) {
      if (event.key !== 'switchboard-name' || !event.newValue) return;
      var renamed;
      try { renamed = JSON.parse(event.newValue); } catch (e) { return; }
      var strong = document.querySelector('#identity .user-name strong');
      var input = document.getElementById('rename-form-input');
      if (!renamed || renamed.user !== ME || !strong) return;
      strong.textContent = renamed.name;
      if (input && document.activeElement !== input) input.value = renamed.name;
      document.querySelectorAll('#chat-messages, #chat-log').forEach(decorateAll);
    });
    document.addEventListener('toggle', function (event) {
      var details = event.target;
      if (!details.classList || !details.classList.contains('rename') || !details.open) return;
      var input = details.querySelector('input[name=name]');
      if (input) { input.focus(); input.select(); }
    }, true);
    document.addEventListener('keydown', function (event) {
      if (event.key !== 'Escape') return;
      var details = document.querySelector('#identity details.rename[open]');
      if (!details || !details.contains(document.activeElement)) return;
      details.open = false;
      details.querySelector('summary').focus();
    });
  }

  function start() {
    document.querySelectorAll('#chat-messages, #chat-log').forEach(setUpLog);
    watchToasts();
    watchBadge();
    watchPlayers();
    setUpThemeToggle();
    watchIdentity();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
