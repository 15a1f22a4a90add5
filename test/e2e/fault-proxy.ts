/**
 * A fault-injecting HTTPS proxy on 127.0.0.1 in front of the e2e API server: it forwards
 * requests (with their own Authorization header) and, when a rule matches, answers with a
 * status (5xx, 429 + Retry-After), delays, or drops the connection instead. It records every
 * request (method, path, status, whether it was injected) so tests can assert retries, and
 * the bodies it saw so tests can check where a token travelled.
 *
 * Its TLS certificate is made with openssl for 127.0.0.1; `kubeConfig()` returns a
 * KubeConfig that trusts it and carries the upstream user's credentials.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';

/** What to do with a matching request. */
export type Fault =
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly retryAfter?: string;
      readonly body?: string;
    }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'drop' }
  /** Runs before forwarding, e.g. to change the object under a request. */
  | { readonly kind: 'before'; readonly run: () => Promise<void> };

/** A rule: requests matching `method` and `path` get `fault`, `times` times. */
export interface FaultRule {
  readonly method?: string;
  readonly path: RegExp;
  readonly fault: Fault;
  /** @default 1 */
  times?: number;
}

/** One request the proxy saw. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly injected?: string;
  status?: number;
  readonly requestBody: string;
}

/** The running proxy. */
export interface FaultProxy {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Adds a rule; the latest added rule that matches wins. */
  inject(rule: FaultRule): void;
  /** Removes all rules and recorded requests. */
  reset(): void;
  /** A KubeConfig that talks to the proxy as the upstream config's user. */
  kubeConfig(): k8s.KubeConfig;
  close(): Promise<void>;
}

function selfSignedCert(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fault-proxy-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fromBase64OrFile = (data?: string, file?: string): Buffer | undefined =>
  data ? Buffer.from(data, 'base64') : file ? readFileSync(file) : undefined;

/** Starts a proxy in front of `upstream`'s current cluster. */
export async function startFaultProxy(upstream: k8s.KubeConfig): Promise<FaultProxy> {
  const cluster = upstream.getCurrentCluster();
  const user = upstream.getCurrentUser();
  if (!cluster || !user)
    throw new Error('fault proxy: the upstream kubeconfig has no current cluster/user');
  const target = new URL(cluster.server);
  const agent = new https.Agent({
    keepAlive: true,
    ca: fromBase64OrFile(cluster.caData, cluster.caFile),
    cert: fromBase64OrFile(user.certData, user.certFile),
    key: fromBase64OrFile(user.keyData, user.keyFile),
    rejectUnauthorized: !cluster.skipTLSVerify,
  });
  const { key, cert } = selfSignedCert();
  const rules: FaultRule[] = [];
  const requests: RecordedRequest[] = [];
  // After close(), delayed or pending forwards must not open new upstream connections
  // (they would keep the test process alive).
  let closed = false;
  const timers = new Set<NodeJS.Timeout>();

  const forward = (
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
    record: RecordedRequest,
  ): void => {
    if (closed) {
      res.destroy();
      return;
    }
    const headers = { ...req.headers, host: target.host };
    const upstreamReq = https.request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers,
        agent,
      },
      (upstreamRes) => {
        record.status = upstreamRes.statusCode;
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstreamReq.on('error', () => res.destroy());
    upstreamReq.end(body);
  };

  const server = https.createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? '/';
      const rule = rules.find(
        (r) => (r.times ?? 1) > 0 && (!r.method || r.method === req.method) && r.path.test(path),
      );
      if (rule) rule.times = (rule.times ?? 1) - 1;
      const record: RecordedRequest = {
        method: req.method ?? '',
        path,
        requestBody: body.toString('utf8'),
        ...(rule && rule.fault.kind !== 'before' ? { injected: rule.fault.kind } : {}),
      };
      requests.push(record);
      const fault = rule?.fault;
      if (!fault) return forward(req, body, res, record);
      switch (fault.kind) {
        case 'status':
          record.status = fault.status;
          res.writeHead(fault.status, {
            'content-type': 'application/json',
            ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}),
          });
          res.end(
            fault.body ??
              JSON.stringify({
                kind: 'Status',
                apiVersion: 'v1',
                status: 'Failure',
                message: 'injected by the fault proxy',
                code: fault.status,
              }),
          );
          return;
        case 'delay': {
          const timer = setTimeout(() => {
            timers.delete(timer);
            forward(req, body, res, record);
          }, fault.ms);
          timers.add(timer);
          return;
        }
        case 'drop':
          req.socket.destroy();
          return;
        case 'before':
          fault.run().then(
            () => forward(req, body, res, record),
            () => res.destroy(),
          );
          return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    inject: (rule) => rules.unshift({ times: 1, ...rule }),
    reset: () => {
      rules.length = 0;
      requests.length = 0;
    },
    kubeConfig: () => {
      const kc = new k8s.KubeConfig();
      kc.loadFromOptions({
        clusters: [
          {
            name: 'fault-proxy',
            server: url,
            caData: Buffer.from(cert).toString('base64'),
            skipTLSVerify: false,
          },
        ],
        users: [{ ...user, name: 'upstream-user' }],
        contexts: [{ name: 'fault-proxy', cluster: 'fault-proxy', user: 'upstream-user' }],
        currentContext: 'fault-proxy',
      });
      return kc;
    },
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        timers.forEach(clearTimeout);
        timers.clear();
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
