// The terminal check (/examen/diagnostic): measures what only the terminal's browser knows, then
// sends the figures to the server, which decides (src/domain/terminal-check.ts). Without this
// script the form is sent empty and the server reports what it could check alone.
(function () {
  'use strict';
  var form = document.getElementById('diagnostic');
  var status = document.getElementById('diagnostic-etat');
  if (!form) return;
  if (!window.fetch || !window.performance || !window.Promise) {
    // A browser too old to measure: the server says so, rather than « JavaScript désactivé ».
    var limited = document.createElement('input');
    limited.type = 'hidden';
    limited.name = 'javascript';
    limited.value = 'limite';
    form.appendChild(limited);
    return;
  }
  var ROUND_TRIPS = 5;

  function now() {
    return performance.now();
  }

  // Several requests: the shortest round trip is the network's, and the clock's offset is read on
  // it, the server's instant being taken half-way.
  function measureClock(i, best) {
    var sent = now();
    var sentAt = Date.now();
    return fetch('/examen/diagnostic/horloge', { cache: 'no-store', credentials: 'same-origin' })
      .then(function (res) {
        return res.json();
      })
      .then(function (body) {
        var trip = now() - sent;
        var terminalMid = sentAt + trip / 2;
        var result = !best || trip < best.trip ? { trip: trip, skew: terminalMid - body.serveur } : best;
        return i + 1 < ROUND_TRIPS ? measureClock(i + 1, result) : result;
      });
  }

  function measureAssets() {
    var assets = (form.getAttribute('data-assets') || '').split(' ').filter(Boolean);
    var started = now();
    var stamp = String(Date.now());
    var urls = assets.map(function (url) {
      return new URL(url + '?verification=' + stamp, window.location.href).href;
    });
    return Promise.all(
      urls.map(function (url) {
        return fetch(url, { cache: 'no-store' }).then(function (res) {
          return res.arrayBuffer();
        });
      }),
    ).then(function (bodies) {
      var ms = now() - started;
      // As received (compressed): what the page budget counts. A browser that does not tell leaves
      // the weight out (the decoded size would wrongly say the compression is missing).
      var bytes = 0;
      for (var i = 0; i < urls.length; i++) {
        var entry = performance.getEntriesByName ? performance.getEntriesByName(urls[i])[0] : null;
        if (!entry || !(entry.encodedBodySize > 0) || !bodies[i]) return { ms: ms, bytes: null };
        bytes += entry.encodedBodySize;
      }
      return { ms: ms, bytes: bytes };
    });
  }

  function field(name, value) {
    var input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = String(Math.round(value));
    form.appendChild(input);
  }

  var sending = false;
  form.addEventListener('submit', function (event) {
    if (sending) return;
    event.preventDefault();
    var button = form.querySelector('button');
    if (button) button.disabled = true;
    status.textContent = 'Vérification en cours…';
    measureClock(0, null)
      .then(function (clock) {
        return measureAssets().then(function (assets) {
          field('largeur', window.innerWidth);
          field('hauteur', window.innerHeight);
          field('decalage', clock.skew);
          field('aller_retour', clock.trip);
          field('chargement', assets.ms);
          if (assets.bytes !== null) field('octets', assets.bytes);
          sending = true;
          form.submit();
        });
      })
      .catch(function (err) {
        status.textContent =
          err instanceof TypeError && /fetch|network/i.test(String(err.message))
            ? 'Le serveur n’a pas répondu : vérifiez la connexion du poste au réseau, puis relancez la vérification.'
            : 'La vérification n’a pas pu aboutir sur ce navigateur : relancez-la ; si le message revient, utilisez un autre navigateur.';
        if (button) button.disabled = false;
      });
  });
})();
