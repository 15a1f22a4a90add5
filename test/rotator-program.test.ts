import { stringify } from 'yaml';
import { ROTATOR_CODE, ROTATOR_CODE_SHA256 } from '../src/constructs/rotator-code.generated.js';
import { ROTATOR_CODE_SHA256_ANNOTATION } from '../src/constructs/token-rotation.js';
import { withoutRotatorProgram } from './rotator-program.js';

const configMap = (code: string, hash: string) =>
  stringify({
    kind: 'ConfigMap',
    metadata: { annotations: { [ROTATOR_CODE_SHA256_ANNOTATION]: hash } },
    data: { 'rotator.cjs': code },
  });

describe('withoutRotatorProgram (what the secret scans of synthesized YAML leave out)', () => {
  test('GIVEN the program as built and its hash WHEN cut THEN both are placeholders', () => {
    const text = withoutRotatorProgram(configMap(ROTATOR_CODE, ROTATOR_CODE_SHA256));
    expect(text).toContain('<the rotator program>');
    expect(text).toContain('<its sha256>');
    expect(text).not.toContain(ROTATOR_CODE_SHA256);
  });

  test('GIVEN a changed program or another hash WHEN cut THEN they stay, to be scanned', () => {
    const changed = `${ROTATOR_CODE}\nconst token: 'x';\n`;
    const other = 'a'.repeat(64);
    const text = withoutRotatorProgram(configMap(changed, other));
    expect(text).toContain("const token: 'x';");
    expect(text).toContain(other);
  });
});
