/* Microsoft Clarity adapter, shipped only when Clarity is enabled (clarity-js facts):
   consentv2 'denied' on a running client deletes its cookies and restarts it cookieless,
   still recording; its own Consent Mode listener does the same when Google's update says
   denied. clarity('stop') ends it (one final upload) and makes window.clarity queue calls
   again; a queued 'start' (its tag's) starts it. So on revoke it is stopped before anything
   says denied (the core runs every stop before any tell), and kept from starting again. */
(c, me) => {
  const w = c.w, on = () => c.on(me);
  let stopped = false, sent = '';
  const tell = () => {
    if (!on() || stopped || typeof w.clarity !== 'function') return;
    const st = c.state(true), key = st.analytics_storage + st.ad_storage;
    if (key !== sent) {
      sent = key;
      w.clarity('consentv2', {analytics_Storage: st.analytics_storage, ad_Storage: st.ad_storage});
    }
  };
  return {
    tell,
    // Heard right after each gated loader runs: queued before the tag's 'start' is
    // processed, never after it ran on its tag's defaults.
    loaded: tell,
    stop() {
      const k = w.clarity;
      if (!c.ran(me) || stopped || on() || typeof k !== 'function') return;
      stopped = true;
      k('stop');
      k('consentv2', {analytics_Storage: 'denied', ad_Storage: 'denied'}); // only reaches a restart
      // Not started yet (tag or clarity.js still loading): drop its 'start', queued or to come.
      // Read again: a stopped clarity-js puts a queueing window.clarity back.
      const q = w.clarity, held = (...a) => a[0] === 'start' || q(...a);
      held.q = (q.q || []).filter(a => a[0] !== 'start');
      w.clarity = held;
    },
    // A stopped clarity-js does not restart cleanly with its old queue: reload to re-grant.
    reload: () => stopped && on(),
    // bfcache: clarity-js restarts itself on pageshow; keep a revoked Clarity from hearing it.
    hold: () => c.ran(me) && !on(),
  };
}
