/*! mkdocs-clarity Trusted Types guard (MIT) */
/* Loaded synchronously right after the CSP <meta>, before any other script, and only when
   csp.trusted_types is on. It installs the Trusted Types default policy, which the browser
   calls for every script URL a script sets (script.src, setAttribute('src'), ...): a catalog
   vendor's URL is refused until its category is granted. The deferred runtime has not run yet
   when parser-blocking scripts do, so the decision is taken from the consent cookie with the
   runtime's own code: the <shared> and <state> parts of consent.js are built in below by
   render.runtime_assets (one implementation). Once the runtime exists, it is asked instead. */
(() => {
  'use strict';
  const d = document, w = window, me = d.currentScript;
  const tt = w.trustedTypes;
  if (!me || !tt || !tt.createPolicy || w.siteConsentGuard) return;
  let cfg;
  try { cfg = JSON.parse(me.getAttribute('data-consent-guard')); } catch (e) { return; }

  /*@shared@*/

  const fromCookie = () => {
    /*@state@*/
    return granted;
  };
  const grantedNow = () => (w.siteConsent ? w.siteConsent.granted() : fromCookie());

  // [host pattern, categories]: '*.example.org' matches every subdomain.
  const vendors = cfg.vendors || [];
  function categoriesOf(url) {
    let host;
    // 'www.clarity.ms.' (trailing dot) is the same host to DNS, another one to a string test
    try { host = new URL(url, d.baseURI).hostname.toLowerCase().replace(/\.$/, ''); }
    catch (e) { return null; }
    for (const [pattern, list] of vendors) {
      if (host === pattern || (pattern.startsWith('*.') && host.endsWith(pattern.slice(1)))) {
        return list;
      }
    }
    return null;
  }

  // A refused value is reported on the console and as a 'consentblocked' event on document
  // (detail: url, categories, sink), then the browser blocks the sink and throws TypeError.
  function blocked(url, sink) {
    const list = categoriesOf(url);
    if (!list) return false;
    const have = grantedNow();
    const missing = list.filter(c => !have.includes(c));
    if (!missing.length) return false;
    console.warn(`[consent] blocked ${sink} ${url}: waiting for consent to "${missing.join(', ')}"`);
    d.dispatchEvent(new CustomEvent('consentblocked',
      {detail: {url: String(url), categories: missing, sink}}));
    return true;
  }

  // HTML passes unchanged. Refusing HTML that carries a vendor <script src> was measured and
  // rejected: Material's instant navigation parses every page with DOMParser (an HTML sink),
  // and a page's gated loaders carry the vendor URL, so navigation fell back to full reloads.
  try {
    tt.createPolicy('default', {
      createScriptURL: url => (blocked(url, 'script-url') ? null : url),
      createHTML: html => html,
      createScript: text => text,
    });
    w.siteConsentGuard = true;
  } catch (e) {
    // A default policy exists already (another script made one): the build's
    // trusted-types directive lists only ours, so this only happens without enforcement.
    console.warn('[consent] Trusted Types guard not installed: ' + e.message);
  }
})();
