// htmx 4 pages only (HTMX_VERSION=4). htmx 4 renamed its events (htmx:ws:after:connection,
// htmx:before:swap, …) and reshaped their details. The page scripts (status.js, chat.js,
// local-time.js) listen for htmx 2's names; this re-dispatches each htmx 4 event they need under its
// htmx 2 name, with the detail fields htmx 2 gives, and carries their changes back (a retargeted or
// cancelled out-of-band swap, a rewritten request path). One set of page scripts serves both majors.
(function () {
  function emit(target, name, detail) {
    var event = new CustomEvent(name, { bubbles: true, cancelable: true, composed: true, detail: detail });
    (target && target.isConnected ? target : document).dispatchEvent(event);
    return event;
  }
  function on(name, listener) {
    document.addEventListener(name, listener);
  }

  // WebSocket (hx-ws → the htmx 2 ws extension's events).
  on('htmx:ws:after:connection', function (event) {
    emit(event.target, 'htmx:wsOpen', { elt: event.target });
  });
  on('htmx:ws:close', function (event) {
    emit(event.target, 'htmx:wsClose', { elt: event.target, code: event.detail.code, reason: event.detail.reason });
  });
  on('htmx:ws:error', function (event) {
    emit(event.target, 'htmx:wsError', { elt: event.target, error: event.detail.error });
  });
  on('htmx:ws:before:message:outgoing', function (event) {
    var message = event.detail.message;
    var detail = { elt: event.target, parameters: message.values, headers: message.headers, messageBody: undefined };
    if (emit(event.target, 'htmx:wsConfigSend', detail).defaultPrevented) return event.preventDefault();
    if (detail.messageBody !== undefined) message.data = detail.messageBody;
    if (emit(event.target, 'htmx:wsBeforeSend', { elt: event.target, message: message }).defaultPrevented) event.preventDefault();
  });
  on('htmx:ws:after:message:outgoing', function (event) {
    emit(event.target, 'htmx:wsAfterSend', { elt: event.target, message: event.detail.message.data });
  });
  on('htmx:ws:before:message:incoming', function (event) {
    if (emit(event.target, 'htmx:wsBeforeMessage', { elt: event.target, message: event.detail.message.data }).defaultPrevented) event.preventDefault();
  });
  on('htmx:ws:after:message:incoming', function (event) {
    emit(event.target, 'htmx:wsAfterMessage', { elt: event.target, message: event.detail.message.data });
  });

  // SSE (hx-sse → the htmx 2 sse extension's events). hx-sse announces a reconnect (a stream that
  // ended, or a hidden tab coming back) with before:connection; htmx 2's EventSource reports an error.
  on('htmx:sse:after:connection', function (event) {
    emit(event.target, 'htmx:sseOpen', { elt: event.target });
  });
  on('htmx:sse:before:connection', function (event) {
    if (event.detail.connection && event.detail.connection.attempt > 0) emit(event.target, 'htmx:sseError', { elt: event.target });
  });
  on('htmx:sse:error', function (event) {
    emit(event.target, 'htmx:sseError', { elt: event.target, error: event.detail.error });
  });
  on('htmx:sse:close', function (event) {
    emit(event.target, 'htmx:sseClose', { elt: event.target, type: event.detail.reason });
  });

  // Requests and swaps.
  on('htmx:after:process', function (event) {
    emit(event.target, 'htmx:load', { elt: event.target });
  });
  on('htmx:config:request', function (event) {
    var request = event.detail.ctx.request;
    var detail = { elt: event.target, path: request.action, verb: request.method, headers: request.headers };
    if (emit(event.target, 'htmx:configRequest', detail).defaultPrevented) return event.preventDefault();
    request.action = detail.path;
  });

  var swapped = new WeakMap();
  on('htmx:before:swap', function (event) {
    var tasks = event.detail.tasks;
    var oob = [];
    for (var i = tasks.length - 1; i >= 0; i--) {
      var task = tasks[i];
      if (task.type !== 'oob' && task.type !== 'partial') continue;
      var detail = { elt: task.target, target: task.target, fragment: task.fragment, shouldSwap: true };
      if (emit(task.target, 'htmx:oobBeforeSwap', detail).defaultPrevented || !detail.shouldSwap) {
        tasks.splice(i, 1);
        continue;
      }
      task.target = detail.target;
      oob.unshift(task);
    }
    swapped.set(event.detail.ctx, { oob: oob, main: tasks.filter(function (t) { return t.type === 'main'; }) });
  });
  on('htmx:after:swap', function (event) {
    var done = swapped.get(event.detail.ctx);
    if (!done) return;
    swapped.delete(event.detail.ctx);
    done.oob.forEach(function (task) {
      emit(task.target, 'htmx:oobAfterSwap', { elt: task.target, target: task.target, fragment: task.fragment });
    });
    done.main.forEach(function (task) {
      var target = typeof task.target === 'string' ? document.querySelector(task.target) : task.target;
      emit(target, 'htmx:afterSwap', { elt: target, target: target });
      emit(target, 'htmx:afterSettle', { elt: target, target: target });
    });
  });
})();
