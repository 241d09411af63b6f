import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Import boundaries of the app (src/). ESLint applies the last matching setting of a rule, so the
// domain folders restate the src/ restriction next to their own.
const localStackImport = {
  regex: '^(\\./)?(\\.\\./)+local(/|$)',
  message: 'The app (src/) must not depend on the local stack (local/): it is deployed without it.',
};
const functionsImport = {
  regex: '^@azure/functions(/|$)',
  message: 'Domain code stays independent of the Functions runtime: register triggers and HTTP endpoints in src/functions/ (or src/platform/).',
};
/** Also forbids the same sources through `import()` expressions and `import('…')` types. */
const dynamicImports = (...restrictions) =>
  restrictions.flatMap(({ regex, message }) => {
    const pattern = `/${regex.replaceAll('/', '\\/')}/`;
    return [
      { selector: `ImportExpression[source.value=${pattern}]`, message },
      { selector: `TSImportType[argument.literal.value=${pattern}]`, message },
    ];
  });
const domainFolders = ['secrets', 'certificates', 'jobs', 'rotation', 'operations', 'keys'];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.local/', 'coverage/', '.artifact/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      'no-console': 'off',
    },
  },
  {
    // Type-only imports are restricted too (allowTypeImports stays false).
    files: ['src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [localStackImport] }],
      'no-restricted-syntax': ['error', ...dynamicImports(localStackImport)],
    },
  },
  {
    files: domainFolders.map((folder) => `src/${folder}/**/*.ts`),
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [localStackImport, functionsImport] }],
      'no-restricted-syntax': ['error', ...dynamicImports(localStackImport, functionsImport)],
    },
  },
  {
    // Tests read JSON bodies of many shapes; `any` there keeps assertions readable.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Fixture apps are written as users write plain CommonJS Functions apps.
    files: ['test/fixtures/**/*.js', 'test/fixtures/**/*.cjs', 'bench/apps/**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly', Buffer: 'readonly', setTimeout: 'readonly' },
    },
  },
  {
    // The dashboard's scripts run in the browser, as ES modules.
    files: ['src/dashboard/browser/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: {
        window: 'readonly',
        document: 'readonly',
        performance: 'readonly',
        fetch: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        Intl: 'readonly',
        setTimeout: 'readonly',
        requestAnimationFrame: 'readonly',
        process: 'off',
        require: 'off',
        module: 'off',
        __dirname: 'off',
        Buffer: 'off',
      },
    },
  },
);
