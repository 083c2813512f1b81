/**
 * An opt-in V8 CPU profile of the benchmark process for one phase (BENCH_PROFILE=1), taken through
 * node:inspector so no dependency and no restart with --cpu-prof is needed: Strapi and its in-process
 * worker run on this thread, so the profile shows where the pipeline's CPU time goes. Only this
 * thread is sampled: the fake Cloud API (own process), the libuv thread pool and V8's helper threads
 * are not in it.
 */
import { Session } from 'node:inspector/promises';

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number; scriptId?: string };
  hitCount?: number;
  children?: number[];
}

/** The Profiler.Profile object of the DevTools protocol, as written to a .cpuprofile file. */
export interface CpuProfile {
  nodes: CpuProfileNode[];
  /** Microseconds. */
  startTime: number;
  endTime: number;
  samples?: number[];
  /** Microseconds between consecutive samples (the first is relative to startTime). */
  timeDeltas?: number[];
}

/** Starts sampling this thread; `stop()` ends it and returns the profile. */
export async function startCpuProfile(samplingIntervalUs = 1000): Promise<{ stop(): Promise<CpuProfile> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
      await session.post('Profiler.disable');
      session.disconnect();
      return profile;
    },
  };
}

/** V8's pseudo-frames: not code, but where the thread was (waiting, collecting garbage, in the VM outside JS). */
const PSEUDO = new Set(['(garbage collector)', '(idle)', '(program)', '(root)']);

/**
 * What a frame belongs to: the npm package from its URL (`bull`, `@strapi/database`), `node:` for
 * Node's internals, a V8 pseudo-frame by name, `plugin dist/…` per file of this plugin's build,
 * `(native)` for builtins without a URL, or otherwise the path under `root`.
 */
export function categoryOf(frame: CpuProfileNode['callFrame'], root = ''): string {
  const { url, functionName } = frame;
  if (!url) return PSEUDO.has(functionName) ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:';
  const file = url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [first, second] = file.slice(modules + '/node_modules/'.length).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  const relative = root && file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file;
  return relative.startsWith('dist/') ? `plugin ${relative}` : relative;
}

/** Self time in µs per node id: each sample holds until the next one (the last until endTime). */
function selfTimes(profile: CpuProfile) {
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  if (samples.length === 0) {
    // Without samples only hit counts are left: spread the profiled time over them.
    const hits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
    for (const node of profile.nodes) if (node.hitCount) self.set(node.id, ((profile.endTime - profile.startTime) * node.hitCount) / hits);
    return self;
  }
  let at = profile.startTime;
  const times = deltas.map((delta) => (at += delta));
  for (let i = 0; i < samples.length; i += 1) {
    const until = i + 1 < samples.length ? times[i + 1] : Math.max(profile.endTime, times[i]);
    self.set(samples[i], (self.get(samples[i]) ?? 0) + Math.max(0, until - times[i]));
  }
  return self;
}

export interface SummaryOptions {
  /** Messages sent while profiling: prints CPU ms per message. */
  messages?: number;
  /** Absolute path of the repository, to shorten plugin and harness file names. */
  root?: string;
  top?: number;
}

/**
 * A short text summary of a profile. Pure. Three views of the same self time:
 * - by category: the package of the frame's own URL; builtins without a URL (a native addon's
 *   `Statement.run`, a socket's `writev`) are shown as `(native) ← <the caller's category>`;
 * - by function;
 * - by calling package: each sample charged to the nearest frame on its stack that is a package or
 *   the plugin, so Node's socket writes show up under ioredis or axios; stacks with only Node
 *   internals and builtins on them (a response parsed from the event loop, the microtask queue) are
 *   `node: or native, no package on the stack`.
 * Then busy (not idle) time per message.
 */
export function summarizeCpuProfile(profile: CpuProfile, options: SummaryOptions = {}): string[] {
  const top = options.top ?? 15;
  const self = selfTimes(profile);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, CpuProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) if (byId.has(child)) parent.set(child, node);
  const own = (node: CpuProfileNode) => categoryOf(node.callFrame, options.root);
  const isPackage = (category: string) => !PSEUDO.has(category) && category !== '(native)' && category !== 'node:';
  const categoryFor = (node: CpuProfileNode) => {
    const category = own(node);
    if (category !== '(native)') return category;
    for (let up = parent.get(node.id); up; up = parent.get(up.id)) {
      const caller = own(up);
      if (caller !== '(native)') return PSEUDO.has(caller) ? category : `(native) ← ${caller}`;
    }
    return category;
  };
  const callerFor = (node: CpuProfileNode) => {
    for (let up: CpuProfileNode | undefined = node; up; up = parent.get(up.id)) if (isPackage(own(up))) return own(up);
    return PSEUDO.has(own(node)) ? own(node) : 'node: or native, no package on the stack';
  };
  const total = [...self.values()].reduce((sum, us) => sum + us, 0);
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const byCaller = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  for (const node of profile.nodes) {
    const us = self.get(node.id);
    if (!us) continue;
    const category = categoryFor(node);
    add(byCategory, category, us);
    add(byCaller, callerFor(node), us);
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? ` ${url.replace(/^.*\//, '')}:${lineNumber + 1}` : '';
    add(byFunction, `${functionName || '(anonymous)'}  [${category}${where}]`, us);
  }
  const idle = byCategory.get('(idle)') ?? 0;
  const busy = total - idle;
  const ms = (us: number) => (us / 1000).toLocaleString('en', { maximumFractionDigits: 0 });
  const pct = (us: number) => (total ? ((100 * us) / total).toFixed(1) : '0.0');
  const row = (us: number, label: string) => `  ${pct(us).padStart(5)}%  ${ms(us).padStart(7)} ms  ${label}`;
  const ranked = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([label, us]) => row(us, label));
  const perMessage = options.messages ? `; ${(busy / 1000 / options.messages).toFixed(3)} ms CPU per message (busy / ${options.messages.toLocaleString('en')} messages)` : '';
  return [
    `profiled ${ms(total)} ms on the benchmark's main thread, busy (not idle) ${ms(busy)} ms = ${pct(busy)}%${perMessage}`,
    `self time by category (top ${top}):`,
    ...ranked(byCategory),
    `self time by function (top ${top}):`,
    ...ranked(byFunction),
    `self time by calling package (top ${top}):`,
    ...ranked(byCaller),
  ];
}
