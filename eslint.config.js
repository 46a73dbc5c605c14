// Lint for correctness, not style: prettier owns the layout.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['**/dist/**', '**/node_modules/**', 'bench/out/**', 'coverage/**', 'plugins/*/dist/**']},
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
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none'}],
      // control characters are matched on purpose: paths and URLs must not contain them
      'no-control-regex': 'off',
    },
  },
  {
    // the executable is CommonJS (bin/package.json): it requires the bundles of the copy path
    files: ['bin/**/*.js'],
    languageOptions: {sourceType: 'commonjs', globals: {require: 'readonly', __dirname: 'readonly'}},
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
  {
    // Kubernetes manifests are untyped YAML documents, walked by path in these tests
    files: ['test/deploy/**', 'test/helpers/kube.ts'],
    rules: {'@typescript-eslint/no-explicit-any': 'off'},
  },
)
