// The lobby match (SPEC 4.3.1): every broadcast replaces #arena, press button included. Keep keyboard
// focus on the press button across those swaps, and bring it there when a match starts unless the
// reader is busy elsewhere (typing in the chat, say).
(function () {
  var hadFocus = false;
  document.addEventListener('htmx:oobBeforeSwap', function (event) {
    if (event.detail.target && event.detail.target.id === 'arena') {
      var active = document.activeElement;
      hadFocus = !!active && active.id === 'press-button';
    }
  });
  document.addEventListener('htmx:oobAfterSwap', function (event) {
    var arena = event.detail.target;
    if (!arena || arena.id !== 'arena') return;
    var button = document.getElementById('press-button');
    if (!button) return;
    var active = document.activeElement;
    var idle = !active || active === document.body || active.closest('#ready-form');
    var starting = !!arena.querySelector('.stage-starting');
    if (hadFocus || (starting && idle)) button.focus({ preventScroll: !starting });
    hadFocus = false;
  });
})();
