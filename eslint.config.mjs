// Type-aware lint: floating promises and unsafe `any` flow are the bugs that bite a
// Functions app (an unawaited enqueue acknowledges a notification that was never stored).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import path from 'node:path';

/**
 * The layers, lowest first: a file may import its own layer and the layers listed for it,
 * nothing above. `platform/` knows no feature; features never reach into the hosts
 * (`functions/`, `dev/`) or the tests; the simulators under `dev/sandbox/` are written from
 * the protocols, so they may use platform helpers but never the app code they stand in for.
 */
const root = import.meta.dirname;
const PLATFORM = 'shared/platform/';
const FEATURES = ['shared/auth/', 'shared/jira/', 'shared/proxy/', 'shared/licenses/', 'shared/mail/', 'shared/admin/'];
const allowedFor = [
  [PLATFORM, [PLATFORM]],
  ['shared/auth/', [PLATFORM, 'shared/auth/']],
  ['shared/jira/', [PLATFORM, 'shared/auth/', 'shared/jira/']],
  ['shared/proxy/', [PLATFORM, 'shared/auth/', 'shared/jira/', 'shared/proxy/']],
  ['shared/licenses/', [PLATFORM, 'shared/auth/', 'shared/jira/', 'shared/licenses/']],
  ['shared/mail/', [PLATFORM, 'shared/auth/', 'shared/jira/', 'shared/mail/']],
  ['shared/admin/', [PLATFORM, ...FEATURES]],
  ['dev/sandbox/', [PLATFORM, 'dev/sandbox/', 'dev/listen']],
  ['functions/', [PLATFORM, ...FEATURES, 'functions/']],
];
const layering = {
  meta: { type: 'problem', messages: { upward: '{{from}} may not import {{to}} (layering: see eslint.config.mjs)' } },
  create(context) {
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    const rule = allowedFor.find(([prefix]) => file.startsWith(prefix));
    if (!rule) return {};
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = path
        .relative(root, path.resolve(path.dirname(context.filename), spec))
        .split(path.sep)
        .join('/');
      if (rule[1].some((prefix) => target.startsWith(prefix) || `${target}/`.startsWith(prefix))) return;
      context.report({ node, messageId: 'upward', data: { from: rule[0], to: target } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.local/**', 'coverage/**', 'infra/build/**', 'infra/.bicep/**', '*.js', '*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      'layers/layering': 'error',
    },
    plugins: { layers: { rules: { layering } } },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
