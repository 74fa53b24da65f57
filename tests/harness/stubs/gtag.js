/* Local stand-in for gtag.js / gtm.js: replays and then watches window.dataLayer, keeps the
   Consent Mode state in window.__gtagConsent (every default/update in window.__gtagCommands),
   and only with analytics_storage granted sets _ga / _ga_<id> and sends a collect request.
   Like the real gtag.js it publishes the state as window.google_tag_data.ics, the part that
   clarity-js reads (src/data/consent.ts): addListener(types, fn), getConsentState(type)
   (1 granted, 2 denied, 0 unknown) and usedUpdate; listeners are called, synchronously, when
   a default or update changes one of their types. */
(function () {
  var dl = window.dataLayer = window.dataLayer || [];
  var commands = window.__gtagCommands = window.__gtagCommands || [];
  var consent = window.__gtagConsent = window.__gtagConsent || {};
  var tagData = window.google_tag_data = window.google_tag_data || {};
  var listeners = [];
  var ics = tagData.ics = tagData.ics || {
    usedUpdate: false,
    addListener: function (types, fn) { listeners.push({types: types, fn: fn}); },
    getConsentState: function (type) {
      return consent[type] === 'granted' ? 1 : consent[type] === 'denied' ? 2 : 0;
    }
  };
  function setConsent(kind, state) {
    var changed = [];
    for (var k in state) {
      if (k === 'wait_for_update' || consent[k] === state[k]) continue;
      consent[k] = state[k];
      changed.push(k);
    }
    if (kind === 'update') ics.usedUpdate = true;
    for (var i = 0; i < listeners.length; i++) {
      for (var j = 0; j < changed.length; j++) {
        if (listeners[i].types.indexOf(changed[j]) >= 0) { listeners[i].fn(); break; }
      }
    }
  }
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
      setConsent(args[1], args[2]);
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
