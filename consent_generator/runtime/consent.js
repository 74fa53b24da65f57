/*! mkdocs-clarity consent runtime (MIT) */
/* Self-hosted, dependency-free, strict-CSP clean: no eval, no inline handlers or styles;
   markup comes from the build, config from <script type="application/json" id="consent-config">.
   Served through render.compact_js, which drops comments and indentation. */
(() => {
  'use strict';
  const d = document, w = window;
  const cfgEl = d.getElementById('consent-config');
  // One runtime per window: Material's instant navigation keeps the window alive.
  if (!cfgEl || w.siteConsent) return;
  let cfg;
  try { cfg = JSON.parse(cfgEl.textContent); } catch (e) { return; }

  // <shared> (also built into consent-guard.js: one implementation of the record rules)
  const cats = cfg.categories || [], services = cfg.services || [], T = cfg.texts || {};
  const ids = cats.map(c => c.id), required = cats.filter(c => c.required).map(c => c.id);
  const navGpc = !!navigator.globalPrivacyControl;
  const gpc = cfg.honor_gpc && navGpc;
  const GPC_CAT = 'marketing'; // what Global Privacy Control refuses (sale/share, ads)
  // A vendor whose own client refuses GPC visitors (Clarity) is never downloaded for them.
  const refused = s => navGpc && !!s && !!s.gpc;
  const attr = (el, n) => el.getAttribute(n) || '';
  const catsOf = el => attr(el, 'data-consent-category').split(/\s+/).filter(Boolean);
  const svcOf = key => services.find(s => s.key === key);
  const byId = id => d.getElementById(id);
  const now = () => Math.floor(Date.now() / 1000);

  /* ---- record: one first-party cookie, "1.<id>.<given>.<updated>.<rev>.<cats>.<sum>" ----
     Times are base-36 seconds. The checksum only detects corruption and hand edits: the
     visitor owns the cookie, and anything that fails to parse counts as no consent. */
  const sum = s => {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
    return h.toString(36);
  };
  // An optional ".gpc" before the checksum records that the browser sent GPC.
  const RECORD = /^1\.[\w-]{8,64}\.[0-9a-z]{1,9}\.[0-9a-z]{1,9}\.\d{1,9}\.[\w~-]*(\.gpc)?\.[0-9a-z]{1,7}$/;

  function parseRecord(v) {
    if (!RECORD.test(v)) return null;
    const f = v.split('.'), n = f.length - 1;
    if (sum(f.slice(0, n).join('.')) !== f[n]) return null;
    const r = {id: f[1], given: parseInt(f[2], 36), updated: parseInt(f[3], 36),
               revision: +f[4], granted: f[5] ? f[5].split('~') : []};
    return r.given <= r.updated ? r : null;
  }

  function readRecord() {
    // Sandboxed and opaque-origin frames throw on document.cookie: no stored choice.
    let jar = '';
    try { jar = d.cookie; } catch (e) { return null; }
    for (const part of jar.split(/;\s*/)) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq) === cfg.cookie.name) {
        const r = parseRecord(part.slice(eq + 1));
        if (r) return r;
      }
    }
    return null;
  }

  // A record counts only for this revision and within expiry_days of its last update.
  const current = r => !!r && r.revision === cfg.revision && r.updated <= now() + 86400 &&
    now() - r.updated < cfg.expiry_days * 86400;
  // </shared>

  function newId() {
    // randomUUID exists only in secure contexts; getRandomValues everywhere.
    if (crypto.randomUUID) return crypto.randomUUID();
    return Array.from(crypto.getRandomValues(new Uint8Array(16)),
      b => (b + 256).toString(16).slice(1)).join('');
  }

  function writeRecord() {
    const t = now(), keep = current(record);
    record = {id: record ? record.id : newId(), given: keep ? record.given : t, updated: t,
              revision: cfg.revision, granted: granted.slice(), gpc: navGpc};
    const body = ['1', record.id, record.given.toString(36), t.toString(36), cfg.revision,
      record.granted.join('~')].concat(navGpc ? ['gpc'] : []).join('.');
    const dom = cfg.cookie.domain, host = location.hostname;
    let c = `${cfg.cookie.name}=${body}.${sum(body)}; path=/; max-age=${Math.round(cfg.expiry_days * 86400)}; SameSite=Lax`;
    // A configured parent domain the page is not under would make the browser drop the cookie.
    if (dom && (host === dom || host.endsWith('.' + dom))) c += '; domain=' + dom;
    if (location.protocol === 'https:') c += '; Secure';
    try { d.cookie = c; } catch (e) { /* sandboxed frame: the choice lasts this page */ }
    if (cfg.record_endpoint && navigator.sendBeacon) {
      // A string is sent as text/plain: a CORS-safelisted type, so no preflight is needed.
      // Proof of consent is best effort; the choice itself is stored.
      try {
        navigator.sendBeacon(cfg.record_endpoint, JSON.stringify(Object.assign(
          {policy: cfg.policy_hash, url: location.href}, record)));
      } catch (e) {}
    }
  }

  /* ---- state ---- */
  // GPC and required categories win over whatever a record, a click or the API says.
  // <state>
  const normalise = list => ids.filter(id => required.includes(id) ||
    (list.includes(id) && !(gpc && id === GPC_CAT)));
  let record = readRecord();
  let decided = current(record);
  const fromRecord = () => normalise(decided ? record.granted : cfg.mode === 'opt-in' ? [] : ids);
  let granted = fromRecord();
  // </state>
  const accepted = id => granted.includes(id);
  const allowed = el => catsOf(el).every(accepted) && !refused(svcOf(attr(el, 'data-consent-service')));

  /* ---- vendors: one consent state, told to each vendor by its adapter ---- */
  const gv = x => x ? 'granted' : 'denied';
  const on = s => accepted(s.category) && !refused(s);

  // The one state every vendor signal is derived from (Google Consent Mode's vocabulary).
  function consentState(real) {
    const a = gv(real && accepted('analytics')), m = gv(real && accepted('marketing')),
      f = gv(real && accepted('functionality'));
    return {ad_storage: m, ad_user_data: m, ad_personalization: m, analytics_storage: a,
            functionality_storage: f, personalization_storage: f, security_storage: 'granted'};
  }

  /* Adapters (runtime/adapters/<signal>.js) of the enabled vendors only are put in the list
     below by render.runtime_assets, as [signal, factory] in the catalog's signal order. The
     core calls each factory once with what a vendor may use and the vendor's service, and
     runs the hooks it returns: init (start), stop, tell, loaded (after each gated script),
     reload and hold (answers for a re-grant and a bfcache restore). */
  const ranSvc = new Set(); // services whose code ran on this page
  const vendor = {w, state: consentState, on, ran: s => ranSvc.has(s)};
  const adapters = [
    /* @adapters */
  ].map(([k, f]) => (s => s && f(vendor, s))(services.find(s => s.signal === k))).filter(Boolean);
  const each = hook => adapters.map(a => a[hook] && a[hook]()).some(Boolean);

  // Fixed order: every stop (a revoked Clarity stops before Google's update can reach its
  // listener), then every tell in signal order (Google, then Clarity hears the same state).
  function signal() {
    each('stop');
    each('tell');
  }

  // Compiled once; a pattern JavaScript cannot read is skipped rather than fatal.
  const compile = list => (list || []).map(p => {
    try { return new RegExp(p); } catch (e) { return null; }
  }).filter(Boolean);
  const cookieRes = services.map(s => compile(s.cookies)), storeRes = services.map(s => compile(s.storage));

  function eraseCookie(name) {
    // A cookie set with domain=example.org is only deleted with the same domain attribute,
    // so try the host and every parent domain.
    const base = name + '=; path=/; max-age=0', parts = location.hostname.split('.');
    d.cookie = base;
    for (let i = 0; i < parts.length - 1; i++) d.cookie = base + '; domain=' + parts.slice(i).join('.');
  }

  // Delete first-party cookies and Web Storage keys of services whose category is not granted
  // (or that GPC keeps off), sparing any that a running service also declares (GA, GTM: _ga).
  function purge() {
    const hit = (res, keep, name) => services.some((s, i) =>
      on(s) === keep && res[i].some(re => re.test(name)));
    const gone = (res, name) => name && hit(res, false, name) && !hit(res, true, name);
    let jar = '';
    try { jar = d.cookie; } catch (e) { return; } // sandboxed frame: no cookies to purge
    for (const part of jar.split(/;\s*/)) {
      const name = part.split('=')[0];
      if (gone(cookieRes, name)) eraseCookie(name);
    }
    // Storage that cannot be read (blocked by the browser) holds nothing of theirs either.
    try {
      for (const st of [localStorage, sessionStorage]) {
        for (const name of Object.keys(st)) if (gone(storeRes, name)) st.removeItem(name);
      }
    } catch (e) {}
  }

  /* ---- gating: scripts, templates, iframes ---- */
  const GATED = 'script[type="text/plain"][data-consent-category],template[data-consent-category]';
  const seen = new WeakSet(); // gated elements handled, and the scripts we created
  const ran = new Set();      // src or text of every script run: nothing runs twice
  const ranPlain = new Set(); // categories whose load-on-grant code ran (revoke needs reload)
  let chain = Promise.resolve();

  function noteRun(el) {
    const svc = svcOf(attr(el, 'data-consent-service'));
    if (!svc || svc.signal === 'load-on-grant') catsOf(el).forEach(c => ranPlain.add(c));
    ranSvc.add(svc);
  }

  // Cloned scripts never run, so build a fresh element with the original's attributes.
  function runScript(old, after) {
    const src = attr(old, 'data-consent-src') || attr(old, 'src');
    const key = src || 'inline:' + old.textContent; // textContent: SVG scripts have no .text
    // Content swapped away before its turn came never counts as run.
    if (ran.has(key) || !after.parentNode) return;
    ran.add(key);
    const s = d.createElement('script');
    for (const a of old.attributes) {
      if (!/^(type|src|data-consent-(src|type))$/.test(a.name)) s.setAttribute(a.name, a.value);
    }
    const type = attr(old, 'data-consent-type') || (old.type === 'text/plain' ? '' : old.type);
    if (type) s.type = type;
    seen.add(s);
    let done;
    if (src) {
      // Wait for load or error so the next gated script sees what this one defined.
      done = new Promise(res => {
        s.addEventListener('load', res);
        s.addEventListener('error', res);
        setTimeout(res, 10000); // a stalled vendor must not block everything after it
      });
      s.src = src;
    } else {
      s.text = old.textContent;
    }
    after.parentNode.insertBefore(s, after.nextSibling);
    return done;
  }

  // <template> holds content-area scripts that no theme may execute (Material's instant
  // navigation re-runs content <script>s without attributes). Insert the content in place,
  // then run its scripts one by one where they stood.
  function runTemplate(t) {
    const frag = d.importNode(t.content, true), jobs = [];
    for (const s of frag.querySelectorAll('script')) {
      const mark = d.createTextNode('');
      s.replaceWith(mark);
      jobs.push([s, mark]);
    }
    t.parentNode.insertBefore(frag, t);
    return jobs.reduce((p, [s, mark]) => p.then(() => runScript(s, mark)), Promise.resolve());
  }

  function activate() {
    for (const el of d.querySelectorAll(GATED)) {
      if (seen.has(el) || !allowed(el)) continue;
      seen.add(el);
      noteRun(el);
      // One chain across calls keeps document order, also for nodes added later. Adapters
      // hear of each loader as soon as it ran (Clarity: before its tag's 'start').
      chain = chain.then(() => el.tagName === 'TEMPLATE' ? runTemplate(el) : runScript(el, el))
        .catch(() => {}).then(() => each('loaded'));
    }
  }

  const holders = new WeakMap(); // gated iframe -> its placeholder
  const fill = (key, name, cat) => (T[key] || '').replace('{service}', name).replace('{category}', cat);
  const catTitle = id => (cats.find(c => c.id === id) || {title: id}).title;

  function make(tag, cls, text) {
    const el = d.createElement(tag);
    el.className = cls;
    if (text) el.textContent = text;
    return el;
  }

  function loadFrame(f, focus) {
    seen.add(f);
    noteRun(f);
    const h = holders.get(f);
    if (h) { h.remove(); f.hidden = false; }
    f.src = attr(f, 'data-consent-src');
    if (focus) f.focus();
  }

  // The placeholder is built with DOM APIs (no innerHTML) and sized by CSS classes only.
  function placeholder(f) {
    const svc = svcOf(attr(f, 'data-consent-service')) || {};
    let name = svc.name;
    try { name = name || new URL(attr(f, 'data-consent-src'), location.href).hostname; } catch (e) { name = '?'; }
    const cat = catTitle(catsOf(f)[0]), kind = svc.embed || 'content';
    const box = make('div', 'cc cc-embed cc-embed-' + kind);
    box.setAttribute('role', 'group');
    box.setAttribute('aria-label', name);
    const once = make('button', 'cc-btn', fill(T['embed_load_' + kind] ? 'embed_load_' + kind : 'embed_load', name, cat));
    const always = make('button', 'cc-btn', fill('embed_always', name, cat));
    once.type = always.type = 'button';
    once.addEventListener('click', () => loadFrame(f, true));
    always.addEventListener('click', () => api.grant(catsOf(f)));
    const row = make('div', 'cc-actions');
    row.append(once, always);
    box.append(make('p', 'cc-embed-text', fill('embed_text', name, cat)), row);
    f.hidden = true;
    f.parentNode.insertBefore(box, f);
    holders.set(f, box);
  }

  function frames() {
    for (const f of d.querySelectorAll('iframe[data-consent-category][data-consent-src]')) {
      if (seen.has(f)) continue;
      if (allowed(f)) loadFrame(f);
      else if (!holders.has(f)) placeholder(f);
    }
  }

  /* ---- banner and preferences ---- */
  const prefs = () => byId('cc-prefs');
  let lastFocus = null;

  function syncBanner() {
    const b = byId('cc-banner'), p = prefs();
    if (b) b.hidden = decided || !!(p && p.open); // one set of buttons on screen at a time
  }

  function openPrefs() {
    const p = prefs();
    if (!p) return;
    for (const sw of p.querySelectorAll('[data-consent-switch]')) {
      const id = attr(sw, 'data-consent-switch'), blocked = gpc && id === GPC_CAT;
      sw.checked = required.includes(id) || (!blocked && accepted(id));
      sw.disabled = required.includes(id) || blocked;
      if (blocked) sw.setAttribute('aria-describedby', 'cc-gpc');
    }
    const note = byId('cc-gpc');
    if (note) note.hidden = !gpc;
    for (const n of p.querySelectorAll('[data-consent-gpc-off]')) n.hidden = !navGpc;
    if (!p.open) {
      lastFocus = d.activeElement;
      p.showModal(); // moves focus in, makes the page inert, closes on Escape
    }
    syncBanner();
  }

  function closePrefs() {
    const p = prefs();
    if (p && p.open) p.close();
  }

  function onClose(e) {
    if (e.target !== prefs()) return;
    syncBanner();
    // Give focus back to what opened the dialog, if it is still on screen.
    if (lastFocus && lastFocus.isConnected && lastFocus.getClientRects().length) lastFocus.focus();
    lastFocus = null;
  }

  // showModal leaves the browser UI in the tab order; keep Tab inside the dialog.
  function trapTab(e) {
    const p = prefs();
    if (e.key !== 'Tab' || !p || !p.open) return;
    const all = [...p.querySelectorAll('button,input,a[href],summary,select,textarea')]
      .filter(x => !x.disabled && x.getClientRects().length);
    const first = all[0], last = all[all.length - 1];
    if (!first) return;
    const at = d.activeElement;
    if (!p.contains(at) || at === (e.shiftKey ? first : last)) {
      e.preventDefault();
      (e.shiftKey ? last : first).focus();
    }
  }

  /* ---- choosing ---- */
  // Make `list` the granted categories and act on it: record (a choice), tell the vendors,
  // clear what revoked services stored, then run what is newly allowed.
  function apply(list, write) {
    const before = granted;
    granted = normalise(list);
    const revoked = before.filter(id => !granted.includes(id));
    if (write) { writeRecord(); closePrefs(); }
    syncBanner();
    signal(); // on grant and on revoke
    purge();
    d.dispatchEvent(new CustomEvent('consentchange', {detail: {granted: granted.slice()}}));
    // Code without a consent API cannot be told to stop, and an adapter may need a fresh
    // page to grant again (a stopped Clarity): reload (the record now decides what runs).
    if (revoked.some(c => ranPlain.has(c)) || each('reload')) return location.reload();
    scan();
  }

  function choose(list) {
    decided = true;
    apply(list, true);
  }

  // A page back from the back/forward cache may predate a choice made on another page: take
  // the record's. This capture listener runs first: an adapter may keep its vendor from
  // hearing the pageshow (clarity-js restarts itself on it).
  function resync(e) {
    record = readRecord();
    decided = current(record);
    const list = fromRecord();
    if (list + '' !== granted + '') apply(list);
    if (each('hold')) e.stopImmediatePropagation();
  }

  const switches = () => [...prefs().querySelectorAll('[data-consent-switch]')]
    .filter(sw => sw.checked).map(sw => attr(sw, 'data-consent-switch'));
  const actions = {
    accept: () => choose(ids),
    reject: () => choose([]),
    save: () => choose(switches()),
    ok: () => choose(granted),
    manage: openPrefs,
    close: closePrefs,
  };

  // Delegated on document, so markup replaced by instant navigation needs no re-binding.
  // Links to #consent-preferences are handled here too: Material's instant navigation
  // intercepts same-page links, so a hashchange may never come.
  function onClick(e) {
    const t = e.target.closest &&
      e.target.closest('[data-consent-action],[data-consent-open],a[href$="#consent-preferences"]');
    if (!t) return;
    e.preventDefault();
    const act = attr(t, 'data-consent-action') || 'manage';
    if (actions[act]) actions[act]();
  }

  function fromHash() {
    if (location.hash !== '#consent-preferences') return;
    openPrefs();
    // Drop the fragment so the same link opens the dialog again next time.
    history.replaceState(history.state, '', location.pathname + location.search);
  }

  function scan() {
    activate();
    frames();
    syncBanner();
  }

  const api = {
    accepted,
    granted: () => granted.slice(),
    grant: list => choose(granted.concat(list || [])),
    deny: list => { const no = [].concat(list || []); choose(granted.filter(id => !no.includes(id))); },
    open: openPrefs,
  };
  w.siteConsent = Object.freeze(api);

  /* ---- start ---- */
  each('init');
  if (granted.some(id => !required.includes(id))) each('tell');
  purge();
  d.addEventListener('click', onClick);
  d.addEventListener('keydown', trapTab);
  d.addEventListener('close', onClose, true); // 'close' does not bubble; capture sees it
  w.addEventListener('hashchange', fromHash);
  w.addEventListener('pageshow', e => e.persisted && resync(e), true);
  scan();
  // Instant navigation swaps page content without reloading: gate what it brings in.
  new MutationObserver(scan).observe(d.body, {childList: true, subtree: true});
  fromHash();
})();
