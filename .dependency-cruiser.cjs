/**
 * The layers docs/architecture.md draws, enforced on every `npm test` (tests/unit/layers.test.ts).
 * Only imports that carry code count: `import type` vanishes at build time and creates no cycle.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-value-cycle',
      severity: 'error',
      comment: 'A value-import cycle makes load order matter and pulls unrelated modules into every test.',
      from: { path: '^(server|admin|shared)/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'channels-are-leaves',
      severity: 'error',
      comment:
        'A channel adapter turns one message into one provider call. It asks nothing of announcements, dispatch, delivery or any plugin service: they call it.',
      from: { path: '^server/src/channels/[^/]+/' },
      to: {
        path: ['^server/src/(announcements|dispatch|delivery|fan-out|services)/', '\\.service\\.ts$'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'admin-never-imports-server',
      severity: 'error',
      comment: 'The admin and the server share words through shared/contracts, never each other\'s source.',
      from: { path: '^admin/' },
      to: { path: '^server/' },
    },
    {
      name: 'server-never-imports-admin',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^admin/' },
    },
    {
      name: 'shared-is-the-bottom',
      severity: 'error',
      comment: 'shared/ is imported by both sides and imports neither.',
      from: { path: '^shared/' },
      to: { path: '^(server|admin)/' },
    },
    {
      name: 'controllers-ask-services',
      severity: 'error',
      comment: 'A controller parses input and calls one service; the database layer is the services\' business.',
      from: { path: '^server/src/controllers/' },
      to: { path: '^server/src/database/', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.json'] },
  },
};
