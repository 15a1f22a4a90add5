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
import { closeSync, existsSync, openSync, writeFileSync } from 'node:fs';
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

/** Runs the CLI with stdout on /dev/full, where every write fails with ENOSPC. */
function runWithFullStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const full = openSync('/dev/full', 'w');
  return new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', full, 'pipe'],
      env: { PATH: process.env.PATH ?? '' },
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  }).finally(() => closeSync(full));
}

// /dev/full is Linux's; elsewhere there is no device that refuses every write.
const withDevFull = existsSync('/dev/full') ? describe : describe.skip;

withDevFull('a standard output that cannot be written (a full disk)', () => {
  test.each([
    ['can-i (whose 1 means "no")', ['can-i', 'get', 'pods', '--manifests', CORPUS, '--as', 'x']],
    ['lint (whose 1 means "findings")', ['lint', CORPUS]],
  ])(
    'GIVEN %s WHEN its output fails with ENOSPC THEN it says so in one line and exits 70, never 0 or 1',
    async (_, args) => {
      const { code, stderr } = await runWithFullStdout(args);
      expect(stderr).toMatch(/^error: cannot write to standard output: ENOSPC[^\n]*$/m);
      expect(stderr).not.toMatch(/Error:|throw/);
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(code).toBe(70);
    },
  );
});

describe('endQuietlyOnClosedPipe', () => {
  /** A stream watched as the CLI watches stdout, with what it said and the exit codes asked. */
  function watched() {
    const stream = new EventEmitter() as unknown as NodeJS.WritableStream;
    const codes: number[] = [];
    const said: string[] = [];
    endQuietlyOnClosedPipe(
      stream,
      'standard output',
      (t) => said.push(t),
      (code) => codes.push(code),
    );
    return { stream, codes, said };
  }

  test('GIVEN EPIPE THEN it exits with 141 and says nothing', () => {
    const { stream, codes, said } = watched();
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(codes).toEqual([141]);
    expect(said).toEqual([]);
  });

  test('GIVEN another error THEN it names the stream and the error and exits with 70', () => {
    const { stream, codes, said } = watched();
    stream.emit(
      'error',
      Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }),
    );
    expect(said).toEqual([
      'error: cannot write to standard output: ENOSPC: no space left on device, write\n',
    ]);
    expect(codes).toEqual([70]);
  });
});
