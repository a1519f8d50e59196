// Applies the remembered theme before the first paint (loaded without defer). No choice stored:
// the page follows prefers-color-scheme. public/js/ui.js holds the toggle that stores the choice.
(function () {
  try {
    var theme = localStorage.getItem('switchboard-theme');
    if (theme === 'light' || theme === 'dark') document.documentElement.setAttribute('data-theme', theme);
  } catch (e) {
    // Storage may be disabled; the system theme applies.
  }
})();
