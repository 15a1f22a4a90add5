/**
 * This package's version, as a constant: for what cannot read package.json (the synthesized
 * rotator code runs from a ConfigMap). test/token-rotation.test.ts keeps it in step.
 */
export const PACKAGE_VERSION = '0.1.0';
