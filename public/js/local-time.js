// Shows each <time datetime> in the reader's own time zone and locale.
(function () {
  function localise(root) {
    var times = (root.querySelectorAll ? root : document).querySelectorAll('time[datetime]');
    for (var i = 0; i < times.length; i++) {
      var el = times[i];
      if (el.dataset.localised) continue;
      var date = new Date(el.getAttribute('datetime'));
      if (isNaN(date.getTime())) continue;
      el.textContent = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      el.title = date.toLocaleString();
      el.dataset.localised = '1';
    }
  }
  document.addEventListener('DOMContentLoaded', function () { localise(document); });
  document.addEventListener('htmx:load', function (event) { localise(event.target.parentNode || document); });
  document.addEventListener('htmx:oobAfterSwap', function () { localise(document); });
})();
