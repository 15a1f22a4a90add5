import { runInProcess } from './cli-in-process.js';

describe('access-tokens rotate: bad input is refused before any cluster is looked for', () => {
  test.each([
    [['rotate'], /name the ServiceAccount whose token to rotate, or give --from PATH/],
    [['rotate', 'exporter'], /--secret NAME is required: the Secret that holds the token/],
    [['rotate', 'exporter', '--secret', 'Bad_Name'], /--secret.*Bad_Name/],
    [
      ['rotate', 'exporter', '--secret', 's', '--duration', '5m'],
      /--duration must be at least 10 minutes \(600 s\), got 300 s/,
    ],
    [
      ['rotate', 'exporter', '--secret', 's', '--duration', 'soon'],
      /--duration must be a duration like/,
    ],
    [
      ['rotate', 'exporter', '--secret', 's', '--concurrency', '4'],
      /--concurrency goes with --from/,
    ],
    [['rotate', 'exporter', '--from', 'dist/'], /give either a ServiceAccount or --from, not both/],
    [['rotate', '--from', 'dist/', '--secret', 's'], /--secret cannot be used with --from/],
    [['rotate', '--from', 'dist/', '--duration', '1h'], /--duration cannot be used with --from/],
    [['rotate', '--from', 'dist/', '--audience', 'a'], /--audience cannot be used with --from/],
    [
      ['rotate', '--from', 'dist/', '--concurrency', '0'],
      /--concurrency must be an integer from 1 to 256, got '0'/,
    ],
  ])('%j', async (argv, message) => {
    const run = await runInProcess(argv as string[]);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\.\n$/);
  });

  test('a missing manifest path is a usage error naming it', async () => {
    const run = await runInProcess(['rotate', '--from', '/nonexistent/dist']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/\/nonexistent\/dist/);
  });

  test('--help describes the command', async () => {
    const run = await runInProcess(['rotate', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/80% of its lifetime/);
    expect(run.stdout).toMatch(/--force/);
  });
});
