/* Local stand-in for Plausible's script (pa-<id>.js and the older script.js), for tests only
   (no test leaves the machine). It follows what plausible.io/docs describes: options come from
   plausible.init() (plausible.o, set by the snippet's stub) or, for the older script, from its
   data-domain / data-api attributes; events are POSTed as JSON to the endpoint, by default
   the script's origin + /api/event; calls queued in plausible.q before it loaded are sent; it
   sets no cookie and writes no Web Storage. window.__plausible records what it sent. */
(function () {
  var me = document.currentScript, stub = window.plausible || {};
  var opts = stub.o || {}, queued = stub.q || [];
  var api = opts.endpoint || (me && me.getAttribute('data-api')) ||
    new URL(me.src).origin + '/api/event';
  var domain = (me && me.getAttribute('data-domain')) || location.hostname;
  var log = window.__plausible = {sent: [], endpoint: api, domain: domain};
  function send(name) {
    log.sent.push(name);
    fetch(api, {method: 'POST', keepalive: true, headers: {'Content-Type': 'text/plain'},
                body: JSON.stringify({n: name, u: location.href, d: domain})});
  }
  window.plausible = function (name) { send(name); };
  window.plausible.init = function () {};
  send('pageview');
  queued.forEach(function (args) { send(args[0]); });
})();
