// Lint rules, including the layer rules that say where code may run:
// src/shared imports nothing from Electron, the DOM or Node; the renderer never imports
// Electron or Node; the server never imports renderer or main code. src/shared/desktop holds the
// names only the desktop app's processes share (the app's origin, IPC channel names): main and the
// preload import it, the renderer does not, and the preload imports nothing from src/main.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { builtinModules } from 'node:module';

/** Every Node built-in module by its bare name (`node:`-prefixed imports are caught by a pattern). */
const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_'));
/** Exact module names (a pattern like 'crypto' would also match a folder of that name). */
const restrictedPaths = (names, message) => names.map((name) => ({ name, message }));

export default tseslint.config(
  { ignores: ['dist/**', '.tsbuild/**', 'release/**', 'node_modules/**', 'coverage/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
  },
  {
    // Type-aware rules, with the types of the project each file belongs to (tsconfig.json's references).
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    ignores: ['src/shared/**/*.test.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: restrictedPaths(
            ['electron', 'react', 'react-dom', 'zustand', ...nodeBuiltins],
            'src/shared runs everywhere: no Electron, DOM, React or Node imports.',
          ),
          patterns: [
            { group: ['node:*'], message: 'src/shared runs everywhere: no Node imports.' },
            { group: ['**/main/**', '**/preload/**', '**/renderer/**', '**/server/**'], message: 'src/shared depends on nothing else in src/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    ignores: ['src/renderer/**/*.test.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...restrictedPaths(['electron', ...nodeBuiltins], 'The renderer runs in a browser context: no Electron or Node imports.'),
            { name: 'zustand', message: 'Use the app store (store/appStore.ts), the one module that wraps zustand.' },
          ],
          patterns: [
            { group: ['node:*'], message: 'The renderer runs in a browser context: no Node imports.' },
            { group: ['**/main/**', '**/preload/**', '**/server/**'], message: 'The renderer talks to main only through the host bridge.' },
            {
              group: ['**/shared/desktop/**'],
              message: "Names shared by the desktop app's main and preload only: the renderer talks to its host through the bridge.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/store/appStore.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', 'e2e/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['src/server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron', 'react', 'react-dom', 'zustand'], message: 'The server is plain Node.' },
            { group: ['**/renderer/**', '**/main/**', '**/preload/**'], message: 'The server shares only src/shared with the clients.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/renderer/**', '**/server/**', 'react', 'react-dom', 'zustand'], message: 'main and preload share only src/shared.' }] },
      ],
    },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/renderer/**', '**/server/**', 'react', 'react-dom', 'zustand'], message: 'main and preload share only src/shared.' },
            {
              group: ['**/main/**'],
              message: 'The sandboxed preload bundles what it imports: take shared names from src/shared/desktop, never from src/main.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "Property[key.name='ipcRenderer']",
          message: 'Never expose ipcRenderer: expose one named method per channel of the bridge contract.',
        },
      ],
    },
  },
);
