/* Local stand-in for Hotjar's tracking script (static.hotjar.com/c/hotjar-<id>.js), for tests
   only (no test leaves the machine). It does what the runtime and the masking rely on, as
   help.hotjar.com describes it: reads window._hjSettings.hjid and the hj() queue, sets its
   first-party _hj cookies and Web Storage keys, and sends what it records, leaving out the
   text of every element with data-hj-suppress (and its subtree) and what fields hold. It has
   no stop or unload call, like Hotjar. window.__hotjar records what it sent. */
(function () {
  var id = window._hjSettings.hjid, queued = (window.hj && window.hj.q) || [];
  var log = window.__hotjar = {site: id, sent: [], calls: []};
  var week = 60 * 60 * 24 * 365;
  document.cookie = '_hjSessionUser_' + id + '=eyJpZCI6IjEifQ; path=/; max-age=' + week;
  document.cookie = '_hjSession_' + id + '=eyJzIjoxfQ; path=/; max-age=1800';
  localStorage.setItem('_hjSessionUser_' + id, '{"id":"1"}');
  sessionStorage.setItem('_hjRecordingEnabled', 'true');
  function visible(node) {
    if (node.nodeType === 3) return node.data;
    if (node.nodeType !== 1 || node.hasAttribute('data-hj-suppress')) return '';
    if (/^(SCRIPT|STYLE|TEMPLATE|INPUT|TEXTAREA|SELECT)$/.test(node.tagName)) return '';
    return Array.prototype.map.call(node.childNodes, visible).join('');
  }
  function send(kind, body) {
    log.sent.push(kind);
    fetch('https://in.hotjar.com/api/v2/client/sites/' + id + '/' + kind,
          {method: 'POST', body: body, keepalive: true});
  }
  window.hj = function () { log.calls.push(arguments[0]); send('event', String(arguments[1])); };
  queued.forEach(function (a) { window.hj.apply(null, a); });
  send('recording', visible(document.body).replace(/\s+/g, ' '));
})();
