// Feedback while a large bank is sent and checked: the page stays on this form until the server
// answers, so say so and keep the button from being pressed twice. Without JavaScript the
// browser's own progress indicator remains.
document.addEventListener('submit', function (event) {
  var form = event.target;
  if (!form.classList || !form.classList.contains('app-upload-form')) return;
  var file = form.querySelector('input[type=file]');
  var size = file && file.files && file.files[0] ? file.files[0].size : 0;
  var megabytes = (size / 1048576).toLocaleString('fr-FR', { maximumFractionDigits: 1 });
  form.querySelector('.app-upload-progress progress').hidden = false;
  form.querySelector('.app-upload-status').textContent =
    'Envoi du fichier (' + megabytes + ' Mo) puis vérification de la banque : patientez, cela peut prendre une minute.';
  form.querySelector('button[type=submit]').disabled = true;
});
