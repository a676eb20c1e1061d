// Kiosk enhancements; every page works without this file.
(function () {
  'use strict';

  // Countdown from the server's remaining time (not the terminal's clock), with spoken warnings.
  var timer = document.querySelector('.k-timer[data-remaining]');
  if (timer) {
    var value = timer.querySelector('.k-timer-value');
    var alertBox = document.getElementById('k-timer-alert');
    var endsAt = Date.now() + Number(timer.getAttribute('data-remaining')) * 1000;
    // Each warning is spoken once per exam, not again on every page: remembered for this deadline.
    var key = 'k-warned:' + timer.getAttribute('data-deadline');
    var spoken = 0;
    try { spoken = Number(window.sessionStorage.getItem(key)) || 0; } catch (e) { /* storage disabled: once per page */ }
    var format = function (s) {
      var m = Math.floor(s / 60), r = s % 60;
      return m === 0 ? r + ' s' : m + ' min ' + (r < 10 ? '0' : '') + r + ' s';
    };
    var tick = function (announce) {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      value.textContent = format(left);
      if (left <= 300) timer.classList.add('k-timer--warning');
      // The warning due (1 = 5 minutes, 2 = 1 minute), said with the time actually left; not in the
      // first tick, while the page loads, when screen readers may not hear a live region change.
      var due = left > 0 && left <= 60 ? 2 : left > 0 && left <= 300 ? 1 : 0;
      if (announce && due > spoken && alertBox) {
        spoken = due;
        var minutes = Math.ceil(left / 60);
        alertBox.textContent = 'Attention : il reste ' + (minutes <= 1 ? '1 minute.' : minutes + ' minutes.');
        try { window.sessionStorage.setItem(key, String(spoken)); } catch (e) { /* see above */ }
      }
      if (left === 0) {
        clearInterval(handle);
        // The server has finished the exam at its deadline: reloading shows the result.
        setTimeout(function () { window.location.reload(); }, 1500);
      }
    };
    var handle = setInterval(function () { tick(true); }, 1000);
    tick(false);
  }

  // Each choice carries a number one higher than the last, so the server keeps the latest choice
  // even when requests arrive out of order or twice.
  var seqInput = document.querySelector('.k-question .k-seq');
  document.body.addEventListener('htmx:configRequest', function (event) {
    if (!seqInput) return;
    var next = Number(seqInput.value) + 1;
    event.detail.parameters.seq = String(Number(seqInput.value));
    seqInput.value = String(next);
  });
  // Until the server acknowledges this choice, no earlier "Réponse enregistrée." may stay on screen.
  var status = document.getElementById('k-save-status');
  document.body.addEventListener('htmx:beforeRequest', function () {
    if (status) status.textContent = '';
  });
  var failed = function () {
    if (status) status.textContent = 'Réponse non enregistrée : elle sera envoyée quand vous changerez de question.';
  };
  // No answer, an error status (which htmx does not show), or no answer in time.
  ['htmx:sendError', 'htmx:responseError', 'htmx:timeout'].forEach(function (name) {
    document.body.addEventListener(name, failed);
  });
})();
