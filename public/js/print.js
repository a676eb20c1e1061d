// The "Imprimer" button of the token print view: shown only when this script runs (without
// JavaScript the page says to use the browser's own Print command).
document.querySelectorAll('[data-print-button]').forEach(function (button) {
  button.hidden = false;
  button.addEventListener('click', function () {
    window.print();
  });
});
