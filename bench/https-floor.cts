/**
 * The floor under one mint in Node: a CommonJS script that uses nothing but `node:https` to
 * send one TokenRequest and checks the answer. No client-node, no kubeconfig parser, no CLI.
 * bench/mint.ts runs it as a fresh process next to `access-tokens mint` and `kubectl create
 * token`, so that the report shows how much of a mint's time any Node HTTPS client pays before
 * our code runs.
 *
 * Usage: `node lib/bench/https-floor.cjs REQUEST.json`, where the file (written 0600 by the
 * bench; no credential on argv) holds `{ server, path, ca?, token?, cert?, key? }`. Prints
 * nothing; exits 1 (saying why, never the token) unless the server answers 201 with a token.
 */
import * as https from 'node:https';
import * as fs from 'node:fs';

interface FloorRequest {
  server: string;
  path: string;
  ca?: string;
  token?: string;
  cert?: string;
  key?: string;
}

const spec = JSON.parse(fs.readFileSync(process.argv[2] ?? '', 'utf8')) as FloorRequest;
const url = new URL(spec.path, spec.server);
const body = JSON.stringify({
  apiVersion: 'authentication.k8s.io/v1',
  kind: 'TokenRequest',
  spec: { expirationSeconds: 3600 },
});
const req = https.request(
  url,
  {
    method: 'POST',
    ca: spec.ca,
    cert: spec.cert,
    key: spec.key,
    headers: {
      'content-type': 'application/json',
      ...(spec.token ? { authorization: `Bearer ${spec.token}` } : {}),
    },
  },
  (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        status?: { token?: string };
      };
      if (res.statusCode !== 201 || !answer.status?.token) {
        console.error(`https-floor: the server answered ${res.statusCode} without a token`);
        process.exitCode = 1;
      }
    });
  },
);
req.on('error', (err) => {
  console.error(`https-floor: ${err.message}`);
  process.exitCode = 1;
});
req.end(body);
