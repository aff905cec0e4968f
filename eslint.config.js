// @ts-check
import tseslint from 'typescript-eslint';

/** Only these may import Electron; every other line must run in plain Node and in CI without the binary. */
const ELECTRON_ALLOWED = ['main/index.ts', 'main/kiosk/**', 'preload/**'];

const noElectron = {
  'no-restricted-imports': [
    'error',
    {
      paths: [
        {
          name: 'electron',
          message: 'Only main/index.ts, main/kiosk/ and preload/ may import electron (see docs/architecture.md, Layout).',
        },
      ],
      patterns: [{ group: ['electron/*'], message: 'Only main/index.ts, main/kiosk/ and preload/ may import electron.' }],
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test-results/**', 'playwright-report/**', 'artifacts/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs'],
    rules: {
      ...noElectron,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ELECTRON_ALLOWED,
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['main/**', 'preload/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
