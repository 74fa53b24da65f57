// Decodes what Microsoft's Clarity client uploaded, with Microsoft's own decoder (npm
// clarity-decode, installed by `make node-deps`). Input on stdin: a JSON array of payload
// strings (the request bodies, already gunzipped). Output: a JSON array of decoded payloads
// ({envelope, consent, dimension, ...} as clarity-decode returns them).
import {createRequire} from 'node:module';
import {readFileSync} from 'node:fs';

const require = createRequire(process.env.CLARITY_NODE_BASE || import.meta.url);
const {decode} = require('clarity-decode');
const payloads = JSON.parse(readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(payloads.map((p) => decode(p))));
