// The layer map of DESIGN.md and STYLE.md, kept true by the linter (README "What runs where" says it in prose).
// Only import rules: formatting and style are left to review. No type information is needed, so a run stays fast.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules.filter((name) => !name.startsWith('_')), ...builtinModules.map((name) => `node:${name}`)];

/** Project folders by what they are, as import patterns seen from any depth. */
const folder = (name) => [`**/${name}`, `**/${name}/**`, `${name}/**`];
const WORKER = { group: folder('worker'), message: 'only entry points import worker/ (the composition root); take what you need as an argument' };
const CLI = { group: folder('cli'), message: 'nothing imports the CLI' };
const CONSOLE = { group: folder('console'), message: 'only worker/ mounts the console' };

/** Workflow code is bundled and replayed: no I/O, no Node, nothing that reads the clock or the network. */
const IO_LIBRARIES = [
  '@aws-sdk/*', '@slack/*', '@kubernetes/*', '@hpcc-js/*', 'commander', 'fastify', 'ldapts', 'nodemailer', 'openid-client', 'pino',
  'prom-client', 'standardwebhooks', 'ulid', 'yaml', 'luxon', 'date-holidays',
];

export default tseslint.config(
  // test/ and bench/ may import anything, so they are not linted (nor parsed: a run stays a few seconds).
  { ignores: ['node_modules/**', 'dist/**', '.tools/**', '.firebreak/**', 'test/**', 'bench/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    // Lazy requires carry disable comments for typescript-eslint's recommended set, which this config does not enable.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
  },
  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/incident/messages.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [
          ...nodeBuiltins.map((name) => ({ name, message: 'workflow code is deterministic: no Node modules (see STYLE.md)' })),
          { name: 'zod', message: 'schemas are parsed at the edge (workflows/incident/messages.ts); a zod upgrade must not change a replay' },
        ],
        patterns: [
          { group: IO_LIBRARIES, message: 'workflow code does no I/O: call an activity' },
          { group: ['@temporalio/*', '!@temporalio/workflow', '!@temporalio/common'], message: 'workflow code uses only @temporalio/workflow and @temporalio/common' },
          { group: ['@temporalio/*/lib/**', '@temporalio/*/src/**'], message: 'no deep SDK imports: they are not the public API and move between releases' },
          { group: ['**/messages', '**/incident/messages'], allowTypeImports: true, message: 'messages.ts holds the zod schemas: workflow code imports their types, and definitions.ts for the rest' },
          { group: [...folder('activities')], allowTypeImports: true, message: 'workflows reach activities through proxyActivities<Activities>, never by import' },
          { group: [...folder('ingress'), ...folder('audit'), ...folder('codec'), ...folder('evidence'), ...folder('report')], message: 'workflows import only workflows/ and runbooks/' },
          WORKER, CLI, CONSOLE,
        ],
      }],
    },
  },
  {
    files: ['workflows/incident/messages.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: nodeBuiltins.map((name) => ({ name, message: 'messages.ts is imported by workflow code (types) and the edge: no Node modules' })) }] },
  },
  {
    files: ['runbooks/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ group: [...folder('workflows'), ...folder('activities'), ...folder('ingress')], message: 'runbooks/ is the language: every layer imports it, it imports none of them' }, WORKER, CLI, CONSOLE],
      }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ group: ['../*', '../**'], message: 'shared/ is the neutral bottom layer: it imports no other folder of the project' }],
      }],
    },
  },
  {
    files: ['activities/**/*.ts', 'ingress/**/*.ts', 'audit/**/*.ts', 'codec/**/*.ts', 'evidence/**/*.ts', 'obligations/**/*.ts', 'report/**/*.ts', 'slack/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [WORKER, CLI, CONSOLE] }] },
  },
  {
    files: ['console/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [WORKER, CLI] }] },
  },
  {
    // The CLI is a client of the HTTP API: it may name the API's types, never run ingress or worker code.
    files: ['cli/**/*.ts'],
    ignores: [
      'cli/main.ts', // the `firebreak` entry point: start/worker/serve load worker/ lazily
      'cli/runbook-test/**', // `runbook test` is its own process: a time-skipping server, a worker and the incident client
      'cli/commands/alert.ts', // `alert send` signs like the sender does, with the secret from the config file
      'cli/commands/config.ts', // `config check` validates a config file with the worker's own schema
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: [...folder('worker'), ...folder('ingress')], allowTypeImports: true, message: 'the CLI talks HTTP only (cli/api-client.ts); it may import types' },
          CONSOLE,
        ],
      }],
    },
  },
);
