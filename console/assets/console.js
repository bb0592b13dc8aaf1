// Firebreak console: the only script of ours. Counts deadline clocks down every second and shows times in the
// viewer's own zone beside UTC. Everything else is server-rendered HTML, swapped in by htmx from server-sent events.
(function () {
  'use strict';
  function span(ms) {
    var s = Math.round(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    if (d > 0) return d + 'd ' + h + 'h ' + m + 'm ' + sec + 's';
    if (h > 0) return h + 'h ' + m + 'm ' + sec + 's';
    return m > 0 ? m + 'm ' + sec + 's' : sec + 's';
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll('[data-due]').forEach(function (el) {
      var left = Date.parse(el.getAttribute('data-due')) - now;
      el.textContent = left < 0 ? span(-left) + ' overdue' : span(left) + ' left';
      el.classList.toggle('overdue', left < 0);
    });
  }
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var local = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
  function localTimes(root) {
    (root || document).querySelectorAll('time[data-local]').forEach(function (el) {
      if (el.getAttribute('data-local') === 'done') return;
      el.setAttribute('data-local', 'done');
      var when = new Date(el.getAttribute('datetime'));
      el.setAttribute('title', zone);
      el.textContent = local.format(when) + ' · ' + el.textContent;
    });
  }
  document.addEventListener('DOMContentLoaded', function () {
    localTimes(document);
    tick();
    setInterval(tick, 1000);
  });
  document.addEventListener('htmx:afterSwap', function (event) {
    localTimes(event.target);
    tick();
  });
  // A live fragment may replace a form the person is filling in (another decision arrived): what they typed, and
  // where the cursor was, is carried over to the same field of the same form in the new HTML.
  function fieldKey(el) {
    return el.form ? el.form.getAttribute('action') + '\u0000' + el.name : null;
  }
  var typed = null;
  document.addEventListener('htmx:sseBeforeMessage', function (event) {
    typed = { values: {}, focused: null };
    event.target.querySelectorAll('form input[name], form textarea[name], form select[name]').forEach(function (el) {
      var key = fieldKey(el);
      if (key === null || el.type === 'hidden') return;
      var changed = el.tagName === 'SELECT' ? !(el.options[el.selectedIndex] || {}).defaultSelected : el.value !== el.defaultValue;
      if (changed) typed.values[key] = el.value;
      if (el === document.activeElement) typed.focused = key;
    });
  });
  document.addEventListener('htmx:sseMessage', function (event) {
    if (typed) {
      event.target.querySelectorAll('form input[name], form textarea[name], form select[name]').forEach(function (el) {
        var key = fieldKey(el);
        if (key !== null && Object.prototype.hasOwnProperty.call(typed.values, key)) el.value = typed.values[key];
        if (key !== null && key === typed.focused) el.focus();
      });
      typed = null;
    }
    localTimes(event.target);
    tick();
  });
})();
