/* Google Consent Mode v2 adapter (Google Analytics 4, Google Tag Manager): shipped only when
   one of them is enabled. A factory the core calls once with its vendor API `c` and the
   enabled service; it returns the hooks the core runs in its fixed signal order. */
c => {
  const w = c.w;
  return {
    // Consent Mode v2 needs its default before any Google tag runs: gated tags only run
    // through the core's activate(), which starts after init.
    init() {
      w.dataLayer = w.dataLayer || [];
      // gtag.js reads Arguments objects from dataLayer, not arrays.
      w.gtag = w.gtag || function () { w.dataLayer.push(arguments); };
      w.gtag('consent', 'default', Object.assign(c.state(false), {wait_for_update: 500}));
    },
    tell: () => w.gtag('consent', 'update', c.state(true)),
  };
}
