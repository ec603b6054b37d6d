// The hosted checkout page's progressive enhancement. The page works without it (a plain form
// POST); this only keeps a second click or Enter from sending the payment twice while the first
// is on its way, and makes sure the error summary has the focus. It never reads the card fields,
// and stores nothing.
(function () {
  'use strict';

  var summary = document.getElementById('error-summary');
  if (summary && document.activeElement !== summary) summary.focus();

  var form = document.getElementById('pay-form');
  var button = document.getElementById('pay-button');
  if (!form || !button) return;
  var label = button.textContent;
  var sending = false;

  form.addEventListener('submit', function (event) {
    if (sending) {
      event.preventDefault();
      return;
    }
    sending = true;
    // aria-disabled rather than disabled: the button keeps its place in the tab order and says why.
    button.setAttribute('aria-disabled', 'true');
    form.setAttribute('aria-busy', 'true');
    button.textContent = 'Paying…';
  });

  // Coming back with the browser's Back button shows the page from its cache, mid-submission.
  window.addEventListener('pageshow', function (event) {
    if (!event.persisted) return;
    sending = false;
    button.removeAttribute('aria-disabled');
    form.removeAttribute('aria-busy');
    button.textContent = label;
  });
})();
