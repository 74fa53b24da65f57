/* Matomo adapter, shipped only when Matomo is enabled. Its loader queues requireConsent
   before trackPageView, so the tracker holds every request until it hears setConsentGiven;
   forgetConsentGiven stops it and deletes its cookies (developer.matomo.org/guides/
   tracking-consent). Told only once its loader ran, and only when the answer changes. */
(c, me) => {
  let told = '';
  const tell = () => {
    const say = c.on(me) ? 'setConsentGiven' : 'forgetConsentGiven';
    if (c.ran(me) && say !== told) (window._paq = window._paq || []).push([told = say]);
  };
  return {tell, loaded: tell};
}
