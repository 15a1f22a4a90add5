/**
 * `access-tokens lint ... | head -1`: a reader that closes the pipe early ends the command
 * quietly, as kubectl is ended by SIGPIPE. Run through a real pipe whose reading end is closed
 * before the command writes.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLOSED_PIPE_EXIT_CODE, endQuietlyOnClosedPipe } from '../src/cli/closed-pipe.js';
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import { tempDir } from './temp-dir.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'access-tokens.cjs');
// Enough findings that the output outlasts the pipe's buffer (64 KiB).
const CORPUS = join(tempDir('closed-pipe-'), 'risky.yaml');
writeFileSync(
  CORPUS,
  Array.from(
    { length: 400 },
    (_, i) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: risky-${i} }
rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: risky-${i} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: risky-${i} }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: user-${i} }]
`,
  ).join('---\n'),
);

/** Runs the CLI with stdout a pipe whose reader is closed at once; resolves to code and stderr. */
function runWithClosedStdout(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    child.stdout.destroy(); // `head -1` has read its line and gone
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a closed stdout pipe', () => {
  test.each([
    ['lint', ['lint', CORPUS], {}],
    ['lint, unbundled', ['lint', CORPUS], { ACCESS_TOKENS_UNBUNDLED: '1' }],
    ['who-can', ['who-can', 'get', 'secrets', '-A', '--manifests', CORPUS], {}],
    ['lint -o yaml', ['lint', CORPUS, '-o', 'yaml'], {}],
  ])(
    'GIVEN %s whose reader closes the pipe WHEN it writes THEN it ends quietly: no stack trace, status 141',
    async (_, args, env) => {
      const { code, stderr } = await runWithClosedStdout(args, env);
      expect(stderr).not.toMatch(/EPIPE|Error|at /);
      expect(stderr).toBe('');
      expect(code).toBe(CLOSED_PIPE_EXIT_CODE);
    },
  );
});

describe('endQuietlyOnClosedPipe', () => {
  test('GIVEN EPIPE THEN it exits with 141; GIVEN another error THEN it rethrows', () => {
    const stream = new EventEmitter() as unknown as NodeJS.WritableStream;
    const codes: number[] = [];
    endQuietlyOnClosedPipe(stream, (code) => codes.push(code));
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(codes).toEqual([141]);
    expect(() =>
      stream.emit('error', Object.assign(new Error('disk full'), { code: 'ENOSPC' })),
    ).toThrow(/disk full/);
  });
});
