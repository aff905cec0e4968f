// @ts-check
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const ROOT = import.meta.dirname;

/** Only these may import Electron; every other line must run in plain Node and in CI without the binary. */
const ELECTRON_ALLOWED = ['main/index.ts', 'main/kiosk/**', 'preload/**'];

/**
 * The allowed edges between the folders of main/: the one list (docs/architecture.md copies it).
 * A folder may import its own files, common/ (every folder may), and the folders listed for it; nothing else in
 * main/. main/index.ts (the Electron entry) may import anything in main/.
 */
const MAIN_EDGES = {
  config: [],
  // net/: the HTTPS trust and host mapping shared by the Node clients (MSAL's network client, the Graph client).
  net: [],
  audit: ['config'],
  keys: ['config'],
  directory: ['config', 'net'],
  operator: ['config', 'net'],
  tap: ['directory', 'keys', 'audit', 'config'],
  // event/: event mode (roster, claims through the claim group); only the folders below event/ in this list use it.
  event: ['directory', 'audit', 'config'],
  // provision/: the passkey made at the desk (keys/' CTAP client, directory/'s provisioning calls, the journal).
  provision: ['directory', 'keys', 'audit', 'config'],
  enrollment: ['tap', 'operator', 'directory', 'keys', 'audit', 'config', 'event'],
  ipc: ['enrollment', 'audit', 'config', 'event'],
  station: ['enrollment', 'tap', 'operator', 'directory', 'keys', 'audit', 'config', 'ipc', 'net', 'event', 'provision'],
  // kiosk/ → audit/: the safeStorage-sealed station key store implements audit/'s keyring interface.
  kiosk: ['operator', 'tap', 'enrollment', 'config', 'station', 'audit', 'event'],
};

const ELECTRON_MESSAGE = 'Only main/index.ts, main/kiosk/ and preload/ may import electron (see docs/architecture.md, Layout).';
const noElectron = {
  paths: [{ name: 'electron', message: ELECTRON_MESSAGE }],
  patterns: [{ group: ['electron/*'], message: ELECTRON_MESSAGE }],
};
const NODE_FREE = { regex: '^node:', message: 'common/ and renderer/ run where Node does not: no node:* import.' };

/** Folder rules (import-x/no-restricted-paths): paths relative to this file. */
const zones = [
  {
    target: './renderer',
    from: './',
    except: ['./renderer', './common', './node_modules'],
    message: 'renderer/ imports only common/ and its own files (docs/architecture.md, Layout).',
  },
  {
    target: './common',
    from: './',
    except: ['./common', './node_modules'],
    message: 'common/ is the Node-free contract: it imports nothing from main/, preload/, renderer/ or test/.',
  },
  {
    target: './preload',
    from: './',
    except: ['./preload', './common', './node_modules'],
    message: 'preload/ imports only common/ and electron.',
  },
  {
    target: './main',
    from: ['./renderer', './preload', './test'],
    message: 'main/ does not import renderer/, preload/ or test/.',
  },
  ...Object.entries(MAIN_EDGES).map(([folder, allowed]) => ({
    target: `./main/${folder}`,
    from: './main',
    except: [`./${folder}`, ...allowed.map((a) => `./${a}`)],
    message: `main/${folder}/ may import only ${allowed.length ? allowed.map((a) => `${a}/`).join(', ') : 'no other folder of main/'} (the allowed edges: MAIN_EDGES in eslint.config.js).`,
  })),
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test-results/**', 'playwright-report/**', 'artifacts/**', '.scratch/**', '.data/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs'],
    rules: {
      'no-restricted-imports': ['error', noElectron],
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
  // The layers: which folder may import which, and no cycle among them.
  {
    files: ['common/**', 'main/**', 'preload/**', 'renderer/**'],
    plugins: { 'import-x': importX },
    settings: {
      // What import-x reads to follow an import (its flat `typescript` config, without the TypeScript resolver,
      // which is not installed): the code imports by relative path without extension, so Node's resolution with
      // the TypeScript extensions finds every file.
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs', '.cjs'],
      'import-x/external-module-folders': ['node_modules', 'node_modules/@types'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json', '.node'] })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: ROOT, zones }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['common/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [NODE_FREE, { regex: '^(?![.]|node:|zod$)', message: 'common/ uses no runtime package but zod.' }],
        },
      ],
    },
  },
  {
    files: ['renderer/**'],
    rules: { 'no-restricted-imports': ['error', { paths: noElectron.paths, patterns: [...noElectron.patterns, NODE_FREE] }] },
  },
  {
    files: ['preload/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?![.]|electron$)', message: 'preload/ imports only common/ and electron.' }] }],
    },
  },
);
