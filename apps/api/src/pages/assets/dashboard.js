// The operator dashboard's enhancements. Every page works without this file: the tables, the
// timelines and the numbers behind the charts are in the HTML. It adds three things, and loads
// nothing but this service's own files (the Content-Security-Policy allows nothing else):
// - focus on the sign-in error, so a screen reader reads it first;
// - the processors page's charts, drawn with Chart.js (served by this service) from the data
//   block the page carries;
// - live updates: the account's events from /dashboard/events (server-sent events, authenticated
//   by the session cookie), listed as they arrive, and the parts of the page marked
//   data-live-refresh fetched again when an event of the streams they name is stored.
(function () {
  'use strict';

  var summary = document.getElementById('error-summary');
  if (summary && document.activeElement !== summary) summary.focus();

  var reducedMotion = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;

  // ------------------------------------------------------------------ charts

  function chartData() {
    var block = document.getElementById('processors-chart-data');
    if (!block) return null;
    try {
      return JSON.parse(block.textContent || 'null');
    } catch (error) {
      console.warn('dashboard: the chart data block is not JSON', error);
      return null;
    }
  }

  var charts = {};

  function barChart(id, data, datasets, axisTitle, max) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: reducedMotion ? false : { duration: 400 },
      scales: { y: { beginAtZero: true, max: max, title: { display: true, text: axisTitle } } },
      plugins: { legend: { display: datasets.length > 1 } },
    };
    if (charts[id]) {
      charts[id].data.labels = data.labels;
      charts[id].data.datasets = datasets;
      charts[id].update();
    } else {
      charts[id] = new window.Chart(canvas, { type: 'bar', data: { labels: data.labels, datasets: datasets }, options: options });
    }
    // For tests and tools: the chart has drawn this many bars.
    canvas.setAttribute('data-chart-drawn', String(data.labels.length));
  }

  function drawCharts() {
    if (typeof window.Chart !== 'function') return;
    var data = chartData();
    if (!data) return;
    barChart('approval-chart', data, [{ label: 'Approval rate (%)', data: data.approvalRate, backgroundColor: '#1f7a4d' }], 'Approval rate (%)', 100);
    barChart(
      'latency-chart',
      data,
      [
        { label: 'p50 (ms)', data: data.p50, backgroundColor: '#3559c7' },
        { label: 'p95 (ms)', data: data.p95, backgroundColor: '#b26a00' },
      ],
      'Milliseconds',
      undefined,
    );
  }

  drawCharts();

  // ------------------------------------------------------------ live updates

  var state = document.getElementById('live-state');
  var after = document.body.getAttribute('data-live-after');
  if (!state || after === null || typeof window.EventSource !== 'function') return;

  var feed = document.getElementById('live-feed');
  var FEED_LIMIT = 50;
  var lastPosition = after;

  function setState(name, text) {
    state.setAttribute('data-state', name);
    state.textContent = text;
  }

  function addToFeed(event) {
    if (!feed) return;
    var waiting = feed.querySelector('li.empty');
    if (waiting) waiting.remove();
    var item = document.createElement('li');
    item.className = 'new';
    var time = document.createElement('time');
    time.setAttribute('datetime', event.created_at);
    // In UTC, as every time the pages show.
    time.textContent = event.created_at.slice(11, 19) + ' UTC';
    var type = document.createElement('strong');
    type.textContent = event.type;
    var stream = document.createElement('span');
    stream.className = 'mono';
    stream.textContent = event.stream;
    item.append(time, type, stream);
    feed.insertBefore(item, feed.firstChild);
    while (feed.children.length > FEED_LIMIT) feed.lastElementChild.remove();
  }

  // A region is fetched again when an event of a stream it names arrives: `data-live-refresh`
  // holds stream names, or prefixes ending in "-" (`payment-` for every payment).
  function regionsFor(stream) {
    return Array.prototype.filter.call(document.querySelectorAll('[data-live-refresh]'), function (region) {
      return region.getAttribute('data-live-refresh').split(' ').some(function (name) {
        return name.charAt(name.length - 1) === '-' ? stream.indexOf(name) === 0 : stream === name;
      });
    });
  }

  var pending = new Set();
  var fetching = false;
  var timer = null;

  // The page is fetched as of the last event received (`as_of`): the service answers once its
  // read models hold that event, so the region never shows less than the feed above it.
  function refresh() {
    timer = null;
    if (fetching || pending.size === 0) return;
    var regions = Array.from(pending);
    pending.clear();
    fetching = true;
    var url = new URL(window.location.href);
    url.searchParams.set('as_of', lastPosition);
    fetch(url.toString(), { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (response) {
        if (response.redirected || !response.ok) throw new Error('the page answered ' + response.status + (response.redirected ? ' (signed out?)' : ''));
        return response.text();
      })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, 'text/html');
        regions.forEach(function (region) {
          var replacement = region.id ? fresh.getElementById(region.id) : null;
          if (replacement) region.innerHTML = replacement.innerHTML;
        });
        var freshData = fresh.getElementById('processors-chart-data');
        var data = document.getElementById('processors-chart-data');
        if (freshData && data) {
          data.textContent = freshData.textContent;
          drawCharts();
        }
      })
      .catch(function (error) {
        console.warn('dashboard: could not refresh the page', error);
      })
      .then(function () {
        fetching = false;
        if (pending.size > 0) schedule();
      });
  }

  // Events come in bursts (a cascade is a dozen in a few milliseconds): one fetch per burst.
  function schedule() {
    if (timer === null) timer = window.setTimeout(refresh, 250);
  }

  var source = new EventSource('/dashboard/events?after=' + encodeURIComponent(after));
  setState('connecting', 'Connecting…');
  source.onopen = function () {
    setState('open', 'Live');
  };
  source.onerror = function () {
    // EventSource reconnects by itself, resuming with Last-Event-ID; CLOSED means it gave up (signed out).
    if (source.readyState === EventSource.CLOSED) setState('closed', 'Live updates off: reload the page');
    else setState('connecting', 'Reconnecting…');
  };
  source.onmessage = function (message) {
    var event;
    try {
      event = JSON.parse(message.data);
    } catch (error) {
      console.warn('dashboard: an event that is not JSON', error);
      return;
    }
    lastPosition = message.lastEventId || String(event.position);
    addToFeed(event);
    regionsFor(event.stream).forEach(function (region) {
      pending.add(region);
    });
    if (pending.size > 0) schedule();
  };
  window.addEventListener('pagehide', function () {
    source.close();
  });
})();
