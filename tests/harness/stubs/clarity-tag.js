/* Local stand-in for https://www.clarity.ms/tag/<id>: records every clarity() call in
   window.__clarityCalls, sets Clarity's first-party cookies only once analytics_Storage is
   granted (as the real tag does in consent mode), and sends a beacon to *.clarity.ms and
   c.bing.com so a CSP that lacks them shows violations. */
(function () {
  var queued = (window.clarity && window.clarity.q) || [];
  var calls = window.__clarityCalls = window.__clarityCalls || [];
  window.__clarityTagLoads = (window.__clarityTagLoads || 0) + 1;
  function handle(args) {
    calls.push(Array.prototype.slice.call(args));
    if (args[0] === 'consentv2' && args[1]) {
      if (args[1].analytics_Storage === 'granted') {
        document.cookie = '_clck=stub%7C2; path=/; max-age=31536000';
        document.cookie = '_clsk=stub%7C1; path=/; max-age=86400';
      }
    }
  }
  for (var i = 0; i < queued.length; i++) handle(queued[i]);
  window.clarity = function () { handle(arguments); };
  fetch('https://x.clarity.ms/collect', {method: 'POST', body: 'stub'}).catch(function () {});
  new Image().src = 'https://c.bing.com/c.gif?stub=1';
})();
