import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'store/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  // bin/ is CommonJS (bin/package.json): a CommonJS entry point starts faster than an ES module one.
  {
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', __dirname: 'readonly', module: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // The layers, one way: histories/ imports nothing of ours; checkers/ only histories/; harness/ never a target
  // (cli/ is the composition root that picks one and hands it to the controller as a value).
  layer('histories/**/*.ts', /(^|\/)(checkers|harness|targets|bench)\//, 'histories/ is the bottom layer: it imports nothing of ours'),
  layer('checkers/**/*.ts', /(^|\/)(harness|targets|bench)\//, 'checkers/ imports only histories/ (a checker is a pure function of the history)'),
  { ...layer('harness/**/*.ts', /(^|\/)(targets|bench)\//, 'only harness/cli/ (the composition root) imports targets/; pass a Target value instead'), ignores: ['harness/cli/**'] },
  layer('targets/**/*.ts', /(^|\/)(cli|bench)\/|\/controller\.js$/, 'targets/ see the harness through its interfaces, never the CLI or the controller'),
);

function layer(files, regex, message) {
  return { files: [files], rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: regex.source, message }] }] } };
}
