import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Layers are one-way (shared/ARCHITECTURE.md, "Modules"; the README's module map): a folder may
 * not import the folders listed for it. The edges (http, cli) sit over jobs; jobs over amazon,
 * matching, files, config and db; amazon over matching and config; matching over codes and db;
 * config over db; codes, logging and the emulator stand alone. `npm run lint` also fails on any
 * import cycle between files (scripts/check-import-cycles.mjs).
 */
const FORBIDDEN_IMPORTS = {
  codes: ['../**'],
  logging: ['../**'],
  emulator: ['../**'],
  files: [
    '**/amazon/**',
    '**/config/**',
    '**/db/**',
    '**/jobs/**',
    '**/http/**',
    '**/cli/**',
    '**/matching/**',
    '**/logging/**',
    '**/emulator/**',
  ],
  db: [
    '**/jobs/**',
    '**/http/**',
    '**/cli/**',
    '**/files/**',
    '**/matching/**',
    '**/config/**',
    '**/emulator/**',
  ],
  config: [
    '**/amazon/**',
    '**/jobs/**',
    '**/http/**',
    '**/cli/**',
    '**/files/**',
    '**/matching/**',
    '**/emulator/**',
  ],
  amazon: ['**/jobs/**', '**/http/**', '**/cli/**', '**/files/**', '**/db/**', '**/emulator/**'],
  matching: [
    '**/amazon/**',
    '**/jobs/**',
    '**/http/**',
    '**/cli/**',
    '**/files/**',
    '**/config/**',
    '**/emulator/**',
  ],
  jobs: ['**/http/**', '**/cli/**', '**/emulator/**', '**/web/**'],
  http: ['**/cli/**', '**/emulator/**'],
  cli: ['**/web/**'],
};

// Folders whose index.ts is their public face: other folders import the index, never a file
// behind it (inside the folder, files import each other directly with `./`).
const FACES = ['codes', 'files', 'matching', 'emulator'];
const faceRule = (folder) => ({
  group: FACES.filter((f) => f !== folder).flatMap((f) => [`**/${f}/*`, `!**/${f}/index.js`]),
  message: 'Import this folder through its index.ts (its public face), not a file behind it.',
});

// A later block's `no-restricted-imports` replaces an earlier one's for the same file, so each
// layer rule repeats this pattern (the generic block alone covers the other folders).
const NO_WEB_IMPORTS = {
  group: ['**/src/web/**', '**/web/*'],
  message: 'Nothing imports the web UI.',
};

const layerRules = Object.entries(FORBIDDEN_IMPORTS).map(([folder, group]) => ({
  files: [`src/${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group,
            message: `src/${folder} may not import this folder (layers are one-way: see eslint.config.js)`,
          },
          NO_WEB_IMPORTS,
          faceRule(folder),
        ],
      },
    ],
  },
}));

// The web UI talks to the server only over HTTP: it imports nothing from the server's folders,
// and nothing outside it imports from it.
const SERVER_FOLDERS = [
  'amazon',
  'cli',
  'codes',
  'config',
  'db',
  'emulator',
  'files',
  'http',
  'jobs',
  'logging',
  'matching',
  'net',
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', 'src/web/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        structuredClone: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['src/web/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [NO_WEB_IMPORTS],
        },
      ],
    },
  },
  ...layerRules,
  {
    files: ['src/web/**/*.ts', 'src/web/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: SERVER_FOLDERS.map((f) => `**/${f}/**`).concat(['node:*']),
              message: 'src/web talks to the server over HTTP only (src/web/api).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
