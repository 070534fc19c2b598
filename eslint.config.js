import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const deepImports = { group: ['@signup/*/src/*', '@signup/*/dist/*', '**/packages/*/src/*'], message: 'Import a package through its public entry point.' };

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'bench/results/**', '**/public/vendor/**', 'coverage/**', 'packages/system-tests/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': ['error', { patterns: [deepImports] }],
    },
  },
  {
    files: ['packages/*/test/**/*.ts', 'examples/*/test/**/*.ts', 'packages/system-tests/**/*.ts', 'packages/test-support/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['packages/domain/src/**/*.ts'],
    rules: {
      // The domain depends on nothing: no package, not even node's own modules; only its own files.
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^(?!\\.{1,2}/)', message: 'The domain imports nothing but its own files: bind it in an adapter or a host.' }],
      }],
    },
  },
  {
    files: ['packages/adapters/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'inversify', importNames: ['Container'], message: 'Only a host composition root touches the Container.' }],
        patterns: [deepImports, { group: ['@signup/host-*', '@signup/test-support*', '@signup/system-tests'], message: 'Adapters import the domain only.' }],
      }],
    },
  },
  {
    files: ['packages/host-*/src/**/*.ts'],
    ignores: ['packages/host-*/src/composition/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'inversify', importNames: ['Container'], message: 'Only the composition root touches the Container.' }],
        patterns: [deepImports, { group: ['@signup/test-support*', '@signup/system-tests'], message: 'Hosts do not import test code.' }],
      }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
