/**
 * The CLI's shared option parsers (`src/cli/commands/_option-values.ts`), and the commands that
 * use them refusing a bad value by name before anything else is read or loaded.
 */
import { CliError } from '../src/cli/exit-codes.js';
import {
  parseConcurrency,
  parseDurationSeconds,
  parseIntegerOption,
} from '../src/cli/commands/_option-values.js';
import { runInProcess } from './cli-in-process.js';

describe('parseIntegerOption', () => {
  test.each([
    ['1', 1],
    ['16', 16],
    ['256', 256],
    ['0016', 16],
  ])('GIVEN %p WHEN parsed as --concurrency THEN %p', (text, value) => {
    expect(parseIntegerOption(text, '--concurrency', { min: 1, max: 256 })).toBe(value);
  });

  test.each([
    '0',
    '257',
    '',
    ' 8',
    '8 ',
    '0x10',
    '1e2',
    '16.0',
    '1.5',
    '-1',
    '+4',
    'NaN',
    'Infinity',
    '٣',
    '9'.repeat(20),
  ])(
    'GIVEN %p WHEN parsed as --concurrency THEN a usage error naming the option, the value and the range',
    (text) => {
      expect(() => parseIntegerOption(text, '--concurrency', { min: 1, max: 256 })).toThrow(
        new CliError(`--concurrency must be an integer from 1 to 256, got '${text}'`),
      );
    },
  );

  test('GIVEN a range that starts at 0 THEN 0 is allowed and the message says so', () => {
    expect(parseIntegerOption('0', '--max-names', { min: 0, max: 1000 })).toBe(0);
    expect(() => parseIntegerOption('1001', '--max-names', { min: 0, max: 1000 })).toThrow(
      "--max-names must be an integer from 0 to 1000, got '1001'",
    );
  });
});

describe('parseConcurrency', () => {
  test('GIVEN no value THEN undefined (the runtime keeps its default); GIVEN one THEN checked', () => {
    expect(parseConcurrency(undefined)).toBeUndefined();
    expect(parseConcurrency('32')).toBe(32);
    expect(() => parseConcurrency('0x10')).toThrow(
      "--concurrency must be an integer from 1 to 256, got '0x10'",
    );
  });
});

describe('parseDurationSeconds', () => {
  test('GIVEN durations THEN seconds; GIVEN other text or too little THEN the option and value', () => {
    expect(parseDurationSeconds('1h30m', '--duration')).toBe(5400);
    expect(parseDurationSeconds('90', '--duration')).toBe(90);
    expect(() => parseDurationSeconds('soon', '--duration')).toThrow(
      "--duration must be a duration like 600s, 10m, 1h30m or 2d, got 'soon'",
    );
    expect(() => parseDurationSeconds('0s', '--timeout', 1)).toThrow(
      '--timeout must be at least 1 s, got 0 s',
    );
    expect(parseDurationSeconds('1.5h', '--duration')).toBe(5400);
    expect(() => parseDurationSeconds('1500ms', '--duration')).toThrow(
      "--duration must be whole seconds, got '1500ms'",
    );
  });
});

describe('the commands refuse a malformed number by name, before reading anything', () => {
  test.each([
    [
      ['mint', '--from', 'no-such-dir/', '--concurrency', '0x10'],
      '--concurrency',
      '0x10',
      '1 to 256',
    ],
    [
      ['rotate', '--from', 'no-such-dir/', '--concurrency', '1e2'],
      '--concurrency',
      '1e2',
      '1 to 256',
    ],
    [['rotate', '--from', 'no-such-dir/', '--concurrency', ''], '--concurrency', '', '1 to 256'],
    [['mint', 'deployer', '--max-attempts', '0x5'], '--max-attempts', '0x5', '1 to 20'],
    [['mint', 'deployer', '--max-attempts', '2.0'], '--max-attempts', '2.0', '1 to 20'],
    [
      ['audit', 'rules', '--log', 'no-such.log', '--user', 'a', '--max-names', '-1'],
      '--max-names',
      '-1',
      '0 to 1000',
    ],
  ])('%j', async (argv, flag, value, range) => {
    const run = await runInProcess(argv);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: ${flag} must be an integer from ${range}, got '${value}'\n`,
    });
  });
});
