/* Local stand-in for Matomo's matomo.js, for tests only (no test leaves the machine). It
   implements what the runtime relies on, as developer.matomo.org/guides/tracking-consent
   describes it: after requireConsent nothing is sent and no cookie set until
   setConsentGiven; forgetConsentGiven stops tracking and deletes the _pk_ cookies (and
   remembers the withdrawal in mtm_consent_removed). Requests go to setTrackerUrl as images. */
(function () {
  var queued = window._paq || [], need = false, given = false, url = '', site = '', pending = [];
  var log = window.__matomo = {calls: [], hits: 0};
  function cookie(text) { document.cookie = text + '; path=/'; }
  function flush() {
    if (need && !given) return;
    cookie('_pk_id.' + site + '.ab12=visitor.1700000000; max-age=34214400');
    cookie('_pk_ses.' + site + '.ab12=1; max-age=1800');
    while (pending.length) {
      log.hits++;
      new Image().src = url + '?idsite=' + site + '&action=' + pending.shift();
    }
  }
  function run(a) {
    var cmd = a[0];
    log.calls.push(cmd);
    if (cmd === 'requireConsent') need = true;
    else if (cmd === 'setTrackerUrl') url = a[1];
    else if (cmd === 'setSiteId') site = a[1];
    else if (cmd === 'trackPageView') { pending.push('pageview'); flush(); }
    else if (cmd === 'setConsentGiven') { given = true; flush(); }
    else if (cmd === 'forgetConsentGiven') {
      given = false;
      need = true;
      document.cookie.split(/;\s*/).forEach(function (c) {
        var name = c.split('=')[0];
        if (name.indexOf('_pk_') === 0) cookie(name + '=; max-age=0');
      });
      cookie('mtm_consent_removed=1; max-age=3600');
    }
  }
  window._paq = {push: function () { for (var i = 0; i < arguments.length; i++) run(arguments[i]); }};
  queued.forEach(run);
})();
