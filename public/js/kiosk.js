// Kiosk enhancements; every page works without this file.
(function () {
  'use strict';

  // Countdown from the server's remaining time (not the terminal's clock), with spoken warnings.
  var timer = document.querySelector('.k-timer[data-remaining]');
  if (timer) {
    var value = timer.querySelector('.k-timer-value');
    var alertBox = document.getElementById('k-timer-alert');
    var endsAt = Date.now() + Number(timer.getAttribute('data-remaining')) * 1000;
    var warned = {};
    var format = function (s) {
      var m = Math.floor(s / 60), r = s % 60;
      return m === 0 ? r + ' s' : m + ' min ' + (r < 10 ? '0' : '') + r + ' s';
    };
    var tick = function () {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      value.textContent = format(left);
      [[300, 'Attention : il reste 5 minutes.'], [60, 'Attention : il reste 1 minute.']].forEach(function (w) {
        if (left <= w[0] && left > 0 && !warned[w[0]]) {
          warned[w[0]] = true;
          timer.classList.add('k-timer--warning');
          if (alertBox) alertBox.textContent = w[1];
        }
      });
      if (left === 0) {
        clearInterval(handle);
        // The server has finished the exam at its deadline: reloading shows the result.
        setTimeout(function () { window.location.reload(); }, 1500);
      }
    };
    var handle = setInterval(tick, 1000);
    tick();
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
  document.body.addEventListener('htmx:sendError', function () {
    var status = document.getElementById('k-save-status');
    if (status) status.textContent = 'Réponse non enregistrée (connexion interrompue) : elle sera envoyée quand vous changerez de question.';
  });
})();
