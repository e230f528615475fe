// ESLint flat config for the whole repository (TypeScript via typescript-eslint; formatting is Prettier's job).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/bin/**', '.cache/**', 'docs/bench/**', '**/*.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['apps/books-react/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // njs scripts run inside nginx: its own globals (ngx, njs) and CommonJS-less module syntax.
    files: ['apps/books-reverse-proxy/njs/**/*.js'],
    languageOptions: { sourceType: 'module', globals: { ngx: 'readonly', njs: 'readonly' } },
  },
  prettier,
);
