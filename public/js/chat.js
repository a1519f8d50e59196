// Chat and lobby conveniences that htmx leaves to the page: clear the form after sending and page back
// from the oldest message on screen. Scrolling and the rest of what a person sees: public/js/ui.js.
(function () {
  // ws-send does not clear its form; do it once the frame is handed to the socket.
  document.addEventListener('htmx:wsAfterSend', function (event) {
    var form = event.target && event.target.closest ? event.target.closest('form') : null;
    if (form) form.reset();
  });

  // "Load older" asks for the messages before the oldest one on screen, which moves as new ones arrive.
  document.addEventListener('htmx:configRequest', function (event) {
    var path = event.detail.path;
    if (!/\/chat\/[^/]+\/history\?before=/.test(path)) return;
    var first = document.querySelector('#chat-messages .message');
    if (first) event.detail.path = path.replace(/before=\d+/, 'before=' + first.id.slice(4));
  });

  // The server trims the message that left the last HISTORY_LIMIT. A reader who loaded older history
  // has more on screen: trim the oldest one shown instead, so no gap opens in the middle.
  document.addEventListener('htmx:oobBeforeSwap', function (event) {
    var target = event.detail.target;
    if (!target.classList || !target.classList.contains('message')) return;
    var first = document.querySelector('#chat-messages .message');
    if (first && first !== target) event.detail.target = first;
  });
})();
