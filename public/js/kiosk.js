// Kiosk enhancements; every page works without this file.
(function () {
  'use strict';

  // A page kept whole by the browser (back-forward cache) would show the choices as they were when
  // it was left, not as the server now holds them: load it again from the server (offline, as soon
  // as the network returns: a reload now would show the browser's error page). A form sent from it
  // meanwhile carries its old sequence number, which the server refuses with a message.
  var restoredOffline = false;
  window.addEventListener('pageshow', function (event) {
    if (!event.persisted) return;
    if (navigator.onLine === false) {
      restoredOffline = true;
      warn(MESSAGES.offline);
    } else window.location.reload();
  });

  // What the supervisor does while the candidate reads (a pause, its end, a cancellation) reaches
  // the terminal within seconds: every exam page asks the server where the exam stands, and goes to
  // the page that says it. Unreachable, the next tick asks again.
  var onPausePage = !!document.getElementById('k-paused');
  if ((onPausePage || document.querySelector('.k-timer[data-remaining]')) && window.fetch) {
    var PAGES = { pause: '/examen/pause', termine: '/examen/resultat', aucun: '/examen' };
    setInterval(function () {
      if (navigator.onLine === false) return;
      window.fetch('/examen/etat', { credentials: 'same-origin', cache: 'no-store' }).then(
        function (response) {
          return response.ok ? response.json() : null;
        }
      ).then(
        function (answer) {
          if (!answer) return;
          if (answer.etat === 'en-cours') {
            if (onPausePage) window.location.href = '/examen/ensemble';
          } else if (!(onPausePage && answer.etat === 'pause') && PAGES[answer.etat]) window.location.href = PAGES[answer.etat];
        },
        function () {
          /* unreachable for now */
        }
      );
    }, 5000);
  }

  // Countdown from the server's remaining time (not the terminal's clock), with spoken warnings.
  var timer = document.querySelector('.k-timer[data-remaining]');
  if (timer) {
    var value = timer.querySelector('.k-timer-value');
    var alertBox = document.getElementById('k-timer-alert');
    var warning = document.getElementById('k-timer-warning');
    var endsAt = Date.now() + Number(timer.getAttribute('data-remaining')) * 1000;
    // Each warning is spoken once per exam, not again on every page: remembered for this deadline.
    var key = 'k-warned:' + timer.getAttribute('data-deadline');
    var spoken = 0;
    try { spoken = Number(window.sessionStorage.getItem(key)) || 0; } catch (e) { /* storage disabled: once per page */ }
    // The words of formatRemaining (src/domain/exam-clock.ts); self-contained, as its test reads it.
    var format = function (s) {
      var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
      var mm = (m < 10 ? '0' : '') + m, rr = (r < 10 ? '0' : '') + r;
      if (h > 0) return h + ' h ' + mm + ' min ' + rr + ' s';
      return m === 0 ? r + ' s' : m + ' min ' + rr + ' s';
    };
    var tick = function (announce) {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      value.textContent = format(left);
      if (left <= 300) timer.classList.add('k-timer--warning');
      if (warning) {
        var shown = left === 0 ? '' : left <= 60 ? 'Attention : il reste moins d’une minute.' : left <= 300 ? 'Attention : il reste moins de 5 minutes.' : '';
        if (warning.textContent !== shown) warning.textContent = shown;
      }
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
        // The server has finished the exam at its deadline: reloading shows the result, but only once
        // the server answers (offline, a reload would put the browser's error page in place of the exam).
        setTimeout(finishAtDeadline, 1500);
      }
    };
    var handle = setInterval(function () { tick(true); }, 1000);
    tick(false);
  }

  // Each choice carries a number one higher than the last, so the server keeps the latest choice
  // even when requests arrive out of order or twice.
  var form = document.querySelector('form.k-question');
  var seqInput = document.querySelector('.k-question .k-seq');
  document.body.addEventListener('htmx:configRequest', function (event) {
    if (!seqInput) return;
    var next = Number(seqInput.value) + 1;
    event.detail.parameters.seq = String(Number(seqInput.value));
    seqInput.value = String(next);
  });

  // The connection: a choice the server has not acknowledged is resent as soon as it can be, and
  // while the server cannot be reached the candidate stays on the page and is told so, in a warning
  // that stays in view (kiosk.css), read out at once (role="alert").
  var MESSAGES = {
    unsaved: 'Connexion perdue : votre dernière réponse n’est pas encore enregistrée. Restez sur cette page : elle sera envoyée dès le retour de la connexion.',
    offline: 'Connexion perdue. Restez sur cette page : vos réponses seront envoyées dès le retour de la connexion.',
    blocked: 'Connexion perdue : impossible de changer de page pour le moment. Restez sur cette page et réessayez dès le retour de la connexion ; votre réponse sera envoyée.',
    timeUp: 'Le temps est écoulé. La connexion est perdue : restez sur cette page, votre résultat s’affichera dès le retour de la connexion.',
  };
  var FAILED = 'Réponse non enregistrée : elle sera envoyée quand vous changerez de question.';
  var status = document.getElementById('k-save-status');
  // Made here, empty, on every page that has this script, so that filling it later is read out.
  var banner = document.getElementById('k-connection');
  if (!banner) {
    banner = document.createElement('div');
    banner.id = 'k-connection';
    banner.className = 'k-connection';
    banner.setAttribute('role', 'alert');
    document.body.insertBefore(banner, document.body.firstChild);
  }
  var warn = function (message) {
    if (banner.textContent === message) return;
    banner.textContent = message;
    // The timer and the question's heading, held at the top (kiosk.css), stay below the warning.
    document.documentElement.style.setProperty('--k-offset', banner.offsetHeight + 'px');
  };
  var offline = function () {
    return navigator.onLine === false;
  };
  // pending: the form holds a choice the server has not acknowledged; inFlight: saves sent, not answered.
  var pending = false;
  var inFlight = 0;
  var quiet = false;
  var deadlineReached = false;
  var retryHandle = null;

  // Sends the form again as htmx does on a change; without a new "Enregistrement…" each time, so that
  // a screen reader is not told the same thing every few seconds.
  var resend = function () {
    if (!form || !window.htmx || inFlight > 0) return;
    quiet = true;
    window.htmx.trigger(form, 'change');
    quiet = false;
  };
  var retryLater = function () {
    if (retryHandle === null) {
      retryHandle = setInterval(function () {
        if (!pending) {
          clearInterval(retryHandle);
          retryHandle = null;
        } else if (!offline()) resend();
      }, 5000);
    }
  };

  // Whether the server answers at all (any status): a small request that changes nothing.
  var probe = function (answered, unanswered) {
    if (offline()) return unanswered();
    var xhr = new XMLHttpRequest();
    xhr.open('GET', '/healthz', true);
    xhr.timeout = 10000;
    xhr.onload = answered;
    xhr.onerror = unanswered;
    xhr.ontimeout = unanswered;
    xhr.send();
  };

  function finishAtDeadline() {
    deadlineReached = true;
    var again = function () {
      warn(MESSAGES.timeUp);
      setTimeout(finishAtDeadline, 3000);
    };
    // A choice not yet acknowledged goes first (the server takes it if its deadline has not passed);
    // its acknowledgement reloads the page (htmx:afterRequest below).
    if (pending) {
      if (offline()) return again();
      resend();
      return void setTimeout(function () {
        if (pending) again();
      }, 3000);
    }
    probe(function () {
      window.location.reload();
    }, again);
  }

  // Until the server acknowledges this choice, no earlier "Réponse enregistrée." may stay on screen:
  // "Enregistrement…" says a save is on its way (a slow network can take seconds).
  document.body.addEventListener('htmx:beforeRequest', function () {
    inFlight++;
    if (status && !quiet) {
      status.textContent = 'Enregistrement…';
      status.classList.remove('k-status--error');
    }
    quiet = false;
  });
  document.body.addEventListener('htmx:afterRequest', function (event) {
    inFlight = Math.max(0, inFlight - 1);
    if (!event.detail.successful) return;
    pending = false;
    warn('');
    if (deadlineReached) window.location.reload();
  });
  // An acknowledged save: the count of answered questions at the top follows it, and ticking « à
  // revoir » says so rather than « Réponse enregistrée. » (the choice did not change).
  var answered = document.getElementById('k-answered');
  document.body.addEventListener('htmx:afterSwap', function (event) {
    var ack = status && status.querySelector('.k-saved[data-repondue]');
    if (!ack) return;
    if (answered) {
      var n = Number(answered.getAttribute('data-count')) - Number(answered.getAttribute('data-this')) + Number(ack.getAttribute('data-repondue'));
      answered.textContent = n + (n >= 2 ? ' répondues' : ' répondue');
    }
    var changed = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent ? event.detail.requestConfig.triggeringEvent.target : null;
    if (changed && changed.name === 'revoir') ack.textContent = changed.checked ? 'Question marquée « à revoir ».' : 'Marque « à revoir » retirée.';
  });
  var failed = function (lost) {
    return function () {
      pending = true;
      if (status) {
        status.textContent = FAILED;
        status.classList.add('k-status--error');
      }
      if (lost) warn(MESSAGES.unsaved);
      retryLater();
    };
  };
  // No answer or no answer in time (the connection), or an error status (which htmx does not show).
  document.body.addEventListener('htmx:sendError', failed(true));
  document.body.addEventListener('htmx:timeout', failed(true));
  document.body.addEventListener('htmx:responseError', failed(false));

  window.addEventListener('offline', function () {
    warn(deadlineReached ? MESSAGES.timeUp : pending ? MESSAGES.unsaved : MESSAGES.offline);
  });
  window.addEventListener('online', function () {
    if (restoredOffline) window.location.reload();
    else if (deadlineReached) finishAtDeadline();
    else if (pending) resend();
    else
      probe(
        function () {
          warn('');
        },
        function () {
          /* not yet: the next "online", save or page change will tell */
        }
      );
  });

  // Leaving the page while the server cannot be reached would show the browser's error page in place
  // of the exam: when a choice is waiting or the terminal knows it is offline, ask the server first.
  var mayLeave = function (leave) {
    if (!pending && !offline()) return true;
    probe(
      function () {
        warn('');
        leave();
      },
      function () {
        warn(MESSAGES.blocked);
      }
    );
    return false;
  };
  if (form) {
    var submitter = null;
    var leaving = false;
    form.addEventListener('click', function (event) {
      var target = event.target;
      if (target && target.type === 'submit') submitter = target;
    });
    form.addEventListener('submit', function (event) {
      if (leaving) return;
      // Enter sends the form as its first submit control: the unseen forward one.
      var by = event.submitter || submitter || form.querySelector('.k-default-submit');
      submitter = null;
      var go = function () {
        if (leaving) return;
        leaving = true;
        if (by && by.name) {
          var field = document.createElement('input');
          field.type = 'hidden';
          field.name = by.name;
          field.value = by.value;
          form.appendChild(field);
        }
        form.submit();
      };
      if (!mayLeave(go)) event.preventDefault();
    });
  }
  document.addEventListener('click', function (event) {
    var link = event.target && event.target.closest ? event.target.closest('a[href]') : null;
    if (!link || link.getAttribute('href').charAt(0) === '#' || event.defaultPrevented) return;
    if (
      !mayLeave(function () {
        window.location.href = link.href;
      })
    )
      event.preventDefault();
  });
})();
