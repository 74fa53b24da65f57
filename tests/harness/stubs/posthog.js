/* Local stand-in for PostHog's array.js (posthog-js), for tests only (no test leaves the
   machine). It implements what the runtime relies on, as posthog.com/docs describes it:
   the snippet's queue (posthog._i init calls, then queued method calls) is replayed; with
   opt_out_capturing_by_default a device without an opt-in record is opted out, and with
   opt_out_persistence_by_default an opted-out device has no persistence (cookie and
   localStorage ph_<key>_posthog removed); opt_in_capturing / opt_out_capturing record the
   choice in localStorage __ph_opt_in_out_<key>; capture() sends nothing while opted out;
   session recording sends the page's text leaving out every .ph-no-capture subtree and what
   fields hold, and stops on opt_out_capturing or stopSessionRecording. When opted in late it
   captures the page view it skipped. window.__posthog records calls and what was sent. */
(function () {
  var queued = window.posthog || [], inits = queued._i || [];
  var log = window.__posthog = {calls: [], sent: []};
  var key = '', host = '', cfg = {}, recording = false, viewed = false;
  var marker = function () { return '__ph_opt_in_out_' + key; };
  var name = function () { return 'ph_' + key + '_posthog'; };
  function optedOut() {
    var v = localStorage.getItem(marker());
    return v === null ? !!cfg.opt_out_capturing_by_default : v === '0';
  }
  function persist(on) {
    if (on) {
      document.cookie = name() + '=%7B%22distinct_id%22%3A%221%22%7D; path=/; max-age=31536000';
      localStorage.setItem(name(), '{"distinct_id":"1"}');
      sessionStorage.setItem('ph_' + key + '_window_id', 'w1');
    } else if (cfg.opt_out_persistence_by_default) {
      document.cookie = name() + '=; path=/; max-age=0';
      localStorage.removeItem(name());
    }
  }
  function post(path, body) {
    log.sent.push(body.event);
    fetch(host + path, {method: 'POST', body: JSON.stringify(body), keepalive: true});
  }
  function text(node) {
    if (node.nodeType === 3) return node.data;
    if (node.nodeType !== 1 || node.classList.contains('ph-no-capture')) return '';
    if (/^(SCRIPT|STYLE|TEMPLATE|INPUT|TEXTAREA|SELECT)$/.test(node.tagName)) return '';
    return Array.prototype.map.call(node.childNodes, text).join('');
  }
  function record() {
    if (recording || optedOut()) return;
    recording = true;
    post('/s/', {event: '$snapshot', text: text(document.body).replace(/\s+/g, ' ')});
  }
  var api = {
    init: function (k, c) {
      key = k; cfg = c || {}; host = cfg.api_host;
      persist(!optedOut());
      if (!optedOut()) { api.capture('$pageview'); viewed = true; record(); }
    },
    capture: function (event) { if (!optedOut()) post('/e/', {event: event}); },
    opt_in_capturing: function (o) {
      localStorage.setItem(marker(), '1');
      persist(true);
      var ev = o && 'captureEventName' in o ? o.captureEventName : '$opt_in';
      if (ev) api.capture(ev);
      if (!viewed) { api.capture('$pageview'); viewed = true; }
      record();
    },
    opt_out_capturing: function () {
      localStorage.setItem(marker(), '0');
      recording = false;
      persist(false);
    },
    has_opted_out_capturing: optedOut,
    has_opted_in_capturing: function () { return !optedOut(); },
    startSessionRecording: record,
    stopSessionRecording: function () { recording = false; },
    sessionRecordingStarted: function () { return recording; }
  };
  var logged = {};
  Object.keys(api).forEach(function (m) {
    logged[m] = function () { log.calls.push(m); return api[m].apply(null, arguments); };
  });
  window.posthog = logged;
  inits.forEach(function (a) { logged.init(a[0], a[1]); });
  for (var i = 0; i < queued.length; i++) {
    var c = queued[i];
    if (logged[c[0]]) logged[c[0]].apply(null, c.slice(1));
  }
})();
