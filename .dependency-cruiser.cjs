/**
 * The import graph's rules: dependencies run one way (scripts -> infra -> lib and the handlers'
 * pure contract), never in a cycle, and the handler's core stays free of I/O libraries.
 * `make lint` checks them; `make graph` draws the graph.
 */

/** Handler modules that must import no SDK, no sharp, no logger: the orchestrator and everything it decides with. */
const PURE_HANDLER_MODULES =
  '^handlers/thumbnail/(constants|types|errors|event|eventbridge|event-source|keys|plan|format|jpeg-structure|upload-check|download|png-structure|gif-structure|webp-structure|isobmff-structure|image-cost|decode-cost|failure-record|process-event|config)[.]ts$';

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'handlers-stand-alone',
      comment: 'A handler is bundled on its own: it imports nothing from infra, scripts, lib or tests.',
      severity: 'error',
      from: { path: '^handlers/' },
      to: { path: '^(infra|scripts|lib|test)/' },
    },
    {
      name: 'handlers-apart',
      comment: 'One handler never imports another.',
      severity: 'error',
      from: { path: '^handlers/([^/]+)/' },
      to: { path: '^handlers/', pathNot: '^handlers/$1/' },
    },
    {
      name: 'lib-at-the-bottom',
      comment: 'lib/ is shared by infra and scripts, so it imports neither.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(infra|scripts|handlers|test)/' },
    },
    {
      name: 'infra-below-scripts',
      comment: 'The stack never imports the tools that drive it.',
      severity: 'error',
      from: { path: '^infra/' },
      to: { path: '^(scripts|test)/' },
    },
    {
      name: 'infra-reads-only-the-contract',
      comment: 'Infra knows a handler only through its contract (constants.ts), never its internals.',
      severity: 'error',
      from: { path: '^infra/' },
      to: { path: '^handlers/', pathNot: '^handlers/[^/]+/constants[.]ts$' },
    },
    {
      name: 'bench-on-top',
      comment:
        'make bench measures the tools; no tool, stack or library imports it: what both need (the cost model, say) lives below both, in scripts/lib or lib.',
      severity: 'error',
      from: { path: '^(scripts|infra|lib|handlers)/', pathNot: '^scripts/bench/' },
      to: { path: '^scripts/bench/' },
    },
    {
      name: 'scripts-never-import-tests',
      severity: 'error',
      from: { path: '^(scripts|lib)/' },
      to: { path: '^test/' },
    },
    {
      name: 'pure-handler-core',
      comment:
        'The orchestrator and its decisions import no SDK, no sharp and no logger: those are ports (storage.ts, image.ts, index.ts).',
      severity: 'error',
      from: { path: PURE_HANDLER_MODULES },
      to: { path: '(^|/)node_modules/(@aws-sdk|@smithy|sharp|icc|@aws-lambda-powertools)/' },
    },
    {
      name: 'pure-handler-core-in-its-imports',
      comment: '...nor any handler module that does (image.ts, storage.ts, sqs-recorder.ts, index.ts), except for types.',
      severity: 'error',
      from: { path: PURE_HANDLER_MODULES },
      to: { path: '^handlers/thumbnail/(image|storage|sqs-recorder|index)[.]ts$', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(build|dist|cdktf[.]out|[.]local|[.]bench)/' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
