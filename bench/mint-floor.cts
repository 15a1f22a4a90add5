/**
 * The floor under `mint --from` with Secret stores (bench/mint.ts): for each ServiceAccount, the
 * same TokenRequest and then one write of its Secret (a PUT of the whole Secret, no read first),
 * with nothing but `node:https`, over keep-alive connections, `concurrency` at a time. CommonJS,
 * so that it loads as fast as node can load anything. The parent times the whole process.
 *
 * Usage: `node lib/bench/mint-floor.cjs SPEC.json`, SPEC (mode 0600, it holds a credential):
 * `{ server, ca?, token?, cert?, key?, namespace, serviceAccounts: [...], concurrency }`; each
 * ServiceAccount NAME's token goes into the Secret `NAME-token`, which must exist. Prints
 * nothing; exits 1 (saying why, never a token) on any answer but 201 and 200.
 */
import * as https from 'node:https';
import * as fs from 'node:fs';

interface FloorSpec {
  server: string;
  ca?: string;
  token?: string;
  cert?: string;
  key?: string;
  namespace: string;
  serviceAccounts: string[];
  concurrency: number;
}

const spec = JSON.parse(fs.readFileSync(process.argv[2] ?? '', 'utf8')) as FloorSpec;
const agent = new https.Agent({
  keepAlive: true,
  maxSockets: spec.concurrency,
  ca: spec.ca,
  cert: spec.cert,
  key: spec.key,
});

interface Answer {
  status: number;
  json: { status?: { token?: string } };
}

function send(method: string, path: string, body: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(path, spec.server),
      {
        method,
        agent,
        headers: {
          'content-type': 'application/json',
          ...(spec.token ? { authorization: `Bearer ${spec.token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answer['json'],
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function one(name: string): Promise<void> {
  const ns = spec.namespace;
  const minted = await send('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 3600 },
  });
  const token = minted.json.status?.token;
  if (minted.status !== 201 || !token) throw new Error(`TokenRequest answered ${minted.status}`);
  const secret = `${name}-token`;
  const written = await send('PUT', `/api/v1/namespaces/${ns}/secrets/${secret}`, {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'access-tokens.cdk8s.io/token',
    metadata: {
      name: secret,
      namespace: ns,
      labels: { 'access-tokens.cdk8s.io/managed': 'true' },
      annotations: { 'access-tokens.cdk8s.io/service-account': name },
    },
    data: { token: Buffer.from(token).toString('base64') },
  });
  if (written.status !== 200) throw new Error(`the Secret write answered ${written.status}`);
}

async function main(): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < spec.serviceAccounts.length) await one(spec.serviceAccounts[next++]);
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  agent.destroy();
}

main().catch((err: unknown) => {
  console.error(`mint-floor: ${(err as Error).message}`);
  process.exitCode = 1;
});
