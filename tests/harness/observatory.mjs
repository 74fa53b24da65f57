// Grades responses with Mozilla's MDN HTTP Observatory (npm @mdn/mdn-http-observatory, installed
// by `make node-deps`): its own scanner, retriever and scoring, run against local servers.
//
// Input on stdin: {"sites": [{"name", "headers": {name: value}, "body": "<html>..."}]}.
// For each site this serves `body` with `headers` over https://localhost:<free port>/ (the
// certificate in $OBSERVATORY_CERT/$OBSERVATORY_KEY, trusted through NODE_EXTRA_CA_CERTS) and
// redirects http://localhost:<free port>/ there, then runs the package's scan("localhost").
// The one thing changed: the scanner calls retrieve(hostname) without options, so the
// retriever cannot be told the ports; a module hook hands it {httpPort, httpsPort}. Everything
// else, from the requests to the score, is the package's code.
// Output: [{name, grade, score, tests: {name: {result, pass, scoreModifier}}}].
import {register} from 'node:module';
import {readFileSync} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import {pathToFileURL} from 'node:url';

const base = process.env.OBSERVATORY_BASE;  // .../node_modules/
const pkg = new URL('@mdn/mdn-http-observatory/src/', pathToFileURL(base));
const shim = `data:text/javascript,${encodeURIComponent(
  `import {retrieve as real} from ${JSON.stringify(new URL('retriever/retriever.js', pkg).href)};
   export function retrieve(host) { return real(host, globalThis.__observatoryPorts); }`)}`;
const hook = `data:text/javascript,${encodeURIComponent(
  `export async function resolve(spec, ctx, next) {
     if (spec === '../retriever/retriever.js' && ctx.parentURL?.endsWith('/scanner/index.js'))
       return {url: ${JSON.stringify(shim)}, shortCircuit: true};
     return next(spec, ctx);
   }`)}`;
register(hook);
const {scan} = await import(new URL('scanner/index.js', pkg).href);

const tls = {cert: readFileSync(process.env.OBSERVATORY_CERT),
             key: readFileSync(process.env.OBSERVATORY_KEY)};

function listen(server) {
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server.address().port)));
}

async function grade(site) {
  const secure = https.createServer(tls, (req, res) => {
    if (req.method === 'GET' && (req.url === '/' || req.url === '/index.html')) {
      res.writeHead(200, {'Content-Type': 'text/html; charset=utf-8', ...site.headers});
      res.end(site.body);
    } else {
      res.writeHead(404, {'Content-Type': 'text/plain', ...site.headers});
      res.end('not found');
    }
  });
  const httpsPort = await listen(secure);
  const plain = http.createServer((req, res) => {
    res.writeHead(301, {Location: `https://localhost:${httpsPort}${req.url}`});
    res.end();
  });
  const httpPort = await listen(plain);
  globalThis.__observatoryPorts = {httpPort, httpsPort};
  try {
    const result = await scan('localhost');
    const tests = Object.fromEntries(Object.values(result.tests).map((t) => [
      t.constructor.name, {result: t.result, pass: t.pass, scoreModifier: t.scoreModifier}]));
    return {name: site.name, grade: result.scan.grade, score: result.scan.score, tests};
  } finally {
    secure.close();
    plain.close();
  }
}

const input = JSON.parse(readFileSync(0, 'utf8'));
const out = [];
for (const site of input.sites) out.push(await grade(site));
process.stdout.write(JSON.stringify(out));
process.exit(0);
