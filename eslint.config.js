import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'lib/',
      'dist/',
      'coverage/',
      '.*/',
      'src/constructs/rotator-code.generated.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The CLI's launcher is CommonJS: it requires the CommonJS bundle (scripts/bundle.mjs).
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        __filename: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // TypeScript checks names itself (and knows jest's globals from @types/jest).
    files: ['**/*.ts'],
    rules: { 'no-undef': 'off' },
  },
  {
    // The constructs and the rbac engine must stay offline and fast: no client-node.
    files: ['src/rbac/**/*.ts', 'src/constructs/**/*.ts', 'src/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@kubernetes/client-node'],
              message: 'only src/runtime may talk to a cluster',
            },
            {
              group: ['**/runtime/**', '**/cli/**'],
              message: 'imports point cli -> runtime -> rbac <- constructs',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/rbac/**/*.ts', 'src/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@kubernetes/client-node', 'cdk8s', 'cdk8s-plus-27', 'constructs'],
              message: 'rbac/ is pure',
            },
            {
              group: ['**/runtime/**', '**/cli/**', '**/constructs/**'],
              message: 'rbac/ imports nothing of ours',
            },
          ],
        },
      ],
    },
  },
);
