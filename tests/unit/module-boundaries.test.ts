import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SERVER = path.resolve(__dirname, '../../server/src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : /\.(ts|js)$/.test(name) ? [full] : [];
  });
}

const relative = (file: string) => path.relative(SERVER, file).split(path.sep).join('/');

/** Whether the file asks the plugin for service `name` at runtime. */
const callsService = (source: string, name: string) => new RegExp(`getService\\(\\s*strapi\\s*,\\s*['"]${name}['"]\\s*\\)`).test(source);

/** The files a file imports at runtime (relative imports; `import type` carries no code). */
function runtimeImportsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const specifiers = [...source.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\s+from\s+)?['"](\.[^'"]+)['"]/gm)].map((found) => found[1]);
  return specifiers.flatMap((specifier) => {
    const base = path.resolve(path.dirname(file), specifier);
    const found = [`${base}.ts`, `${base}.js`, path.join(base, 'index.ts')].find((candidate) => existsSync(candidate));
    return found ? [found] : [];
  });
}

/** The file of each registered service, from services/index.ts (`import x from '../a/x.service'` and `'name': x`). */
function serviceFiles(): Map<string, string> {
  const index = path.join(SERVER, 'services/index.ts');
  const source = readFileSync(index, 'utf8');
  const fileOf = new Map<string, string>();
  for (const [, local, specifier] of source.matchAll(/^import\s+(\w+)\s+from\s+['"](\.[^'"]+)['"]/gm)) fileOf.set(local, path.resolve(path.dirname(index), `${specifier}.ts`));
  const services = new Map<string, string>();
  for (const [, quoted, bare, local] of source.matchAll(/^\s+(?:'([\w-]+)'|(\w+)):?\s*(\w+)?,$/gm)) {
    const name = quoted ?? bare;
    const file = fileOf.get(local ?? bare);
    if (file) services.set(name, file);
  }
  return services;
}

/**
 * Every file reachable from `roots`, the roots included: through runtime imports and, with
 * `followServices`, through `getService(strapi, 'name')` to that service's file.
 */
function reachableFrom(roots: string[], followServices = false): Set<string> {
  const services = followServices ? serviceFiles() : new Map<string, string>();
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const file = stack.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    stack.push(...runtimeImportsOf(file));
    for (const [, name] of readFileSync(file, 'utf8').matchAll(/getService\(\s*strapi\s*,\s*['"]([\w-]+)['"]\s*\)/g)) {
      const target = services.get(name);
      if (target) stack.push(target);
    }
  }
  return seen;
}

const inFolder = (folder: string) => sourceFiles(path.join(SERVER, folder));

/**
 * delivery and dispatch depend one way (docs/architecture.md, "Module map"): the send pipeline
 * asks dispatch about runs and reports outcomes to it; dispatch's commands use the deliveries
 * store and the delivery scheduler, never the delivery service.
 */
describe('delivery → dispatch, never back', () => {
  it('not both: delivery/ asks for the dispatch service and dispatch/ for the delivery service', () => {
    const deliveryAsksDispatch = inFolder('delivery').filter((file) => callsService(readFileSync(file, 'utf8'), 'dispatch')).map(relative);
    const dispatchAsksDelivery = inFolder('dispatch').filter((file) => callsService(readFileSync(file, 'utf8'), 'delivery')).map(relative);
    expect({ deliveryAsksDispatch: deliveryAsksDispatch.length > 0 && dispatchAsksDelivery.length > 0 ? deliveryAsksDispatch : [], dispatchAsksDelivery }).toEqual({
      deliveryAsksDispatch: [],
      dispatchAsksDelivery: [],
    });
  });

  it('no code dispatch/ runs (its files and all they import) asks for the delivery service', () => {
    const askers = [...reachableFrom(inFolder('dispatch'))].filter((file) => callsService(readFileSync(file, 'utf8'), 'delivery')).map(relative);
    expect(askers).toEqual([]);
  });

  it('nothing dispatch/ calls, through imports or services, reaches the delivery service', () => {
    const services = serviceFiles();
    expect(services.get('delivery')).toBe(path.join(SERVER, 'delivery/delivery.service.ts'));
    const reached = [...reachableFrom(inFolder('dispatch'), true)].map(relative);
    expect(reached).not.toContain('delivery/delivery.service.ts');
  });

  it('the pure policy imports no service, no database and no queue', () => {
    const policy = reachableFrom([path.join(SERVER, 'dispatch/policy.ts')]);
    const impure = [...policy].filter((file) => /getService\(|strapi\.db\.(?:query|connection|transaction)|from\s+['"]bull['"]|ioredis/.test(readFileSync(file, 'utf8'))).map(relative);
    expect(impure).toEqual([]);
  });
});

/** docs/architecture.md: "Keep every file in server/src under 400 lines". */
describe('file size', () => {
  it('no file in server/src is over 400 lines', () => {
    const long = sourceFiles(SERVER)
      .map((file) => ({ file: relative(file), lines: readFileSync(file, 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > 400);
    expect(long).toEqual([]);
  });
});
