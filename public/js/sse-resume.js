// The sse extension reconnects by creating a new EventSource, which forgets Last-Event-ID
// (htmx-extensions issue 184). Remember the last id per URL and pass it as ?lastEventId=.
(function () {
  var lastIds = {};
  function withLastId(url) {
    var last = lastIds[url];
    if (!last) return url;
    return url + (url.indexOf('?') >= 0 ? '&' : '?') + 'lastEventId=' + encodeURIComponent(last);
  }
  htmx.createEventSource = function (url) {
    var source = new EventSource(withLastId(url));
    var remember = function (event) {
      if (event.lastEventId) lastIds[url] = event.lastEventId;
    };
    var add = source.addEventListener.bind(source);
    // Every named event the extension listens for also records its id.
    source.addEventListener = function (type, listener, options) {
      add(type, function (event) {
        remember(event);
        listener.call(this, event);
      }, options);
    };
    add('message', remember);
    // ui.js keeps the extension's error handler from logging "[object Event]" on each reconnect.
    if (window.switchboardQuietErrors) window.switchboardQuietErrors(source);
    return source;
  };
})();
