/* PostHog adapter, shipped only when PostHog is enabled. Its loader inits it opted out with
   no persistence; once the loader ran it hears opt_in_capturing when analytics is granted,
   opt_out_capturing and stopSessionRecording on revoke (capture and recording stop, its
   persistence is removed: posthog.com/docs/privacy/data-collection), and on a re-grant
   opt_in_capturing and startSessionRecording: no reload either way. Told only when the
   answer changes. Calls before array.js loaded are queued by the snippet's stub. */
(c, me) => {
  let told = '';
  const tell = () => {
    const ph = c.w.posthog, say = c.on(me) ? 'in' : 'out';
    if (!c.ran(me) || !ph || say === told) return;
    const again = !!told;
    told = say;
    if (say === 'in') {
      ph.opt_in_capturing({captureEventName: false});
      if (again) ph.startSessionRecording();
    } else {
      ph.opt_out_capturing();
      ph.stopSessionRecording();
    }
  };
  return {tell, loaded: tell};
}
