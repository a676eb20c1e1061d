// Shows how far a large upload has gone (htmx progress events); without JavaScript the browser's
// own indicator remains.
document.addEventListener('htmx:xhr:progress', function (event) {
  var form = event.target.closest && event.target.closest('.app-upload-form');
  if (!form || !event.detail.lengthComputable) return;
  var bar = form.querySelector('.app-upload-progress progress');
  var status = form.querySelector('.app-upload-status');
  var percent = Math.round((event.detail.loaded / event.detail.total) * 100);
  bar.hidden = false;
  bar.value = percent;
  status.textContent = percent < 100 ? ' Envoi : ' + percent + ' %' : ' Fichier reçu, vérification de la banque…';
});
