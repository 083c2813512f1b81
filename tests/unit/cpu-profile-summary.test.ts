import { describe, expect, it } from 'vitest';
import { categoryOf, summarizeCpuProfile, type CpuProfile } from '../../bench/support/cpu-profile';

const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 9, columnNumber: 0 });

// 10 ms profiled, one sample a millisecond: bull 3 ms (two functions), ioredis 1 ms plus a socket write
// (node:) under it 1 ms, SQLite's native `run` under knex 1 ms, the plugin 1 ms, a node: frame alone 1 ms, idle 2 ms.
const profile: CpuProfile = {
  startTime: 0,
  endTime: 10_000,
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 5, 6, 7, 8] },
    { id: 2, callFrame: frame('moveToFinished', 'file:///repo/node_modules/bull/lib/job.js') },
    { id: 3, callFrame: frame('evalsha', 'file:///repo/node_modules/ioredis/built/Redis.js'), children: [9] },
    { id: 4, callFrame: frame('deliver', 'file:///repo/dist/server/index.js') },
    { id: 5, callFrame: frame('processTicksAndRejections', 'node:internal/process/task_queues') },
    { id: 6, callFrame: frame('(idle)') },
    { id: 7, callFrame: frame('processJob', 'file:///repo/node_modules/bull/lib/queue.js') },
    { id: 8, callFrame: frame('_query', 'file:///repo/node_modules/knex/lib/dialects/better-sqlite3/index.js'), children: [10] },
    { id: 9, callFrame: frame('writeGeneric', 'node:internal/stream_base_commons') },
    { id: 10, callFrame: frame('run') },
  ],
  samples: [2, 2, 7, 3, 4, 5, 6, 6, 9, 10],
  timeDeltas: [0, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
};

describe('the CPU profile summary of the benchmarks', () => {
  it('groups frames by package, node internals, V8 pseudo-frames and the plugin file', () => {
    expect(categoryOf(frame('x', 'file:///a/node_modules/@strapi/database/dist/index.js'))).toBe('@strapi/database');
    expect(categoryOf(frame('x', 'file:///a/node_modules/bull/node_modules/ioredis/built/Redis.js'))).toBe('ioredis');
    expect(categoryOf(frame('x', 'node:net'))).toBe('node:');
    expect(categoryOf(frame('(garbage collector)'))).toBe('(garbage collector)');
    expect(categoryOf(frame('JSON.parse'))).toBe('(native)');
    expect(categoryOf(frame('x', 'file:///repo/dist/server/index.js'), '/repo')).toBe('plugin dist/server/index.js');
  });

  it('prints self time per category, function and calling package as share of the profiled time, and busy CPU per message', () => {
    const lines = summarizeCpuProfile(profile, { messages: 4, root: '/repo', top: 3 });
    expect(lines[0]).toBe("profiled 10 ms on the benchmark's main thread, busy (not idle) 8 ms = 80.0%; 2.000 ms CPU per message (busy / 4 messages)");
    expect(lines.slice(1, 5)).toEqual([
      'self time by category (top 3):',
      '   30.0%        3 ms  bull',
      '   20.0%        2 ms  node:',
      '   20.0%        2 ms  (idle)',
    ]);
    expect(lines.slice(5, 7)).toEqual(['self time by function (top 3):', '   20.0%        2 ms  moveToFinished  [bull job.js:10]']);
    // The socket write is charged to ioredis, SQLite's native `run` to knex; the lone node: frame has no package to go to.
    expect(lines.slice(9, 13)).toEqual([
      'self time by calling package (top 3):',
      '   30.0%        3 ms  bull',
      '   20.0%        2 ms  ioredis',
      '   20.0%        2 ms  (idle)',
    ]);
    const all = summarizeCpuProfile(profile, { top: 20 });
    expect(all).toContain('   10.0%        1 ms  (native) ← knex');
    expect(all).toContain('   10.0%        1 ms  run  [(native) ← knex]');
    expect(all.slice(all.indexOf('self time by calling package (top 20):'))).toContain('   10.0%        1 ms  knex');
    expect(all.filter((line) => line.endsWith('  node:'))).toEqual(['   20.0%        2 ms  node:']);
    expect(all).toContain('   10.0%        1 ms  node: or native, no package on the stack');
  });
});
