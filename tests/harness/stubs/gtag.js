/* Local stand-in for gtag.js / gtm.js: replays and then watches window.dataLayer, keeps the
   Consent Mode state in window.__gtagConsent (every default/update in window.__gtagCommands),
   and only with analytics_storage granted sets _ga / _ga_<id> and sends a collect request. */
(function () {
  var dl = window.dataLayer = window.dataLayer || [];
  var commands = window.__gtagCommands = window.__gtagCommands || [];
  var consent = window.__gtagConsent = window.__gtagConsent || {};
  var configured = window.__gtagConfigured = window.__gtagConfigured || [];
  window.__gtagLoads = (window.__gtagLoads || 0) + 1;
  function maybeCollect() {
    if (consent.analytics_storage !== 'granted') return;
    for (var i = 0; i < configured.length; i++) {
      var id = configured[i].replace(/^G-/, '');
      document.cookie = '_ga=GA1.1.123.456; path=/; max-age=63072000';
      document.cookie = '_ga_' + id + '=GS1.1.789; path=/; max-age=63072000';
      fetch('https://region1.google-analytics.com/g/collect?tid=' + configured[i],
            {method: 'POST', body: 'stub'}).catch(function () {});
    }
  }
  function handle(item) {
    if (!item || typeof item.length !== 'number' || typeof item[0] !== 'string') return;
    var args = Array.prototype.slice.call(item);
    commands.push(args);
    if (args[0] === 'consent' && args[2]) {
      for (var k in args[2]) if (k !== 'wait_for_update') consent[k] = args[2][k];
      maybeCollect();
    } else if (args[0] === 'config') {
      if (configured.indexOf(args[1]) < 0) configured.push(args[1]);
      maybeCollect();
    }
  }
  for (var i = 0; i < dl.length; i++) handle(dl[i]);
  var push = dl.push;
  dl.push = function () {
    for (var j = 0; j < arguments.length; j++) handle(arguments[j]);
    return push.apply(dl, arguments);
  };
})();
