// Drives #connection-status from the htmx ws/sse lifecycle events (SPEC §4): "Connected" while every
// real-time source of the page is open, "Reconnecting…" while any of them is down.
(function () {
  var down = new Set();
  var opened = new Set();

  function show() {
    var el = document.getElementById('connection-status');
    if (!el) return;
    var ok = down.size === 0 && opened.size > 0;
    el.textContent = ok ? 'Connected' : opened.size === 0 && down.size === 0 ? 'Connecting…' : 'Reconnecting…';
    el.classList.toggle('connected', ok);
    el.classList.toggle('disconnected', !ok);
  }

  function up(event) {
    down.delete(event.target);
    opened.add(event.target);
    show();
  }

  function lost(event) {
    down.add(event.target);
    show();
  }

  document.addEventListener('htmx:wsOpen', up);
  document.addEventListener('htmx:sseOpen', up);
  document.addEventListener('htmx:wsClose', lost);
  document.addEventListener('htmx:sseError', lost);
  document.addEventListener('htmx:wsError', lost);
})();
