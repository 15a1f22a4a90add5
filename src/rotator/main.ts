/**
 * The rotation pod's program: `access-tokens rotate`, and nothing else, as one small CommonJS
 * file (lib/rotator/rotator.cjs, `npm run build`) that the synth puts into a ConfigMap and a
 * stock Node image runs. In the pod the configuration is in-cluster (the projected token file,
 * CA and namespace), so every request goes over `node:https` (runtime/json-request.ts) and
 * @kubernetes/client-node is neither bundled nor needed; a configuration that would need it
 * fails with a message that says so.
 */
import { registerRotate } from '../cli/commands/rotate.js';
import { defaultIo, runProgram } from '../cli/program.js';
import { PACKAGE_VERSION } from '../contract/package-version.js';

void runProgram(
  {
    name: 'access-tokens',
    description: 'The rotation pod of cdk8s-access-tokens: replaces a token stored in a Secret',
    version: () => PACKAGE_VERSION,
    register: registerRotate,
  },
  process.argv.slice(2),
  defaultIo,
).then((code) => {
  process.exitCode = code;
});
