// Cycles between folders, which dependency-cruiser's no-circular (module level) does not see: the
// import graph of the cruised trees (default: src migrations), as dependency-cruiser resolves it with
// the project's .dependency-cruiser.cjs, is collapsed to folders and every strongly connected
// component of more than one folder is printed with the imports that make it. Exit 1 when any.
//
// A module's unit is its folder, except composition roots, which are units of their own: the files
// directly in a cruised root (src/app.ts, src/cli.ts, src/config.ts…) and any index.ts (an area's
// index.ts imports its features' routes by design). Type-only imports count, as in no-circular.
//
// usage: node scripts/folder-cycles.mjs [--base-dir DIR] [--config FILE] [--json] [DIR…]
//   --base-dir  directory the paths are relative to (default: the current directory)
//   --config    dependency-cruiser config (default: .dependency-cruiser.cjs of this repository)
//   --json      print {cycles: [{folders, edges}]} instead of text
// Based on /work/shared/tools/folder-cycles.mjs (Tarjan's SCC); the graph now comes from
// dependency-cruiser instead of a regular expression over the sources.
import { existsSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The folder-level unit of a module path such as 'src/areas/kiosk/exam/routes.ts': its folder, or the
 * path itself for a composition root (a file directly in a cruised root, an index.ts, or a facade
 * X.ts beside its folder X/, e.g. src/domain/bank.ts for src/domain/bank/). `folders` is the set of
 * folders that hold modules (to recognise facades).
 */
export function unitOf(path, roots, folders = new Set()) {
  const dir = posix.dirname(path);
  if (roots.includes(dir) || posix.basename(path) === 'index.ts' || folders.has(path.replace(/\.[cm]?[jt]s$/, ''))) return path;
  return dir;
}

/** Strongly connected components (more than one node) of a Map<node, Set<node>>, Tarjan's algorithm. */
export function stronglyConnected(edges) {
  let next = 0;
  const stack = [];
  const onStack = new Set();
  const index = new Map();
  const low = new Map();
  const components = [];
  const nodes = new Set([...edges.keys(), ...[...edges.values()].flatMap((targets) => [...targets])]);
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const v of [...nodes].sort()) if (!index.has(v)) visit(v);
  return components;
}

/**
 * Folder cycles of a dependency-cruiser result: { units, cycles: [{ folders, edges: [{ from, to, typeOnly }] }] },
 * `units` being the number of folders and composition roots seen.
 */
export function folderCycles(cruiseResult, roots) {
  const local = (path) => roots.some((root) => path.startsWith(`${root}/`));
  const modules = cruiseResult.modules.filter((m) => local(m.source));
  const folders = new Set(modules.map((m) => posix.dirname(m.source)));
  const unit = (path) => unitOf(path, roots, folders);
  const edges = new Map();
  const moduleEdges = [];
  for (const module of modules) {
    for (const dependency of module.dependencies) {
      if (dependency.coreModule || dependency.couldNotResolve || !local(dependency.resolved)) continue;
      const a = unit(module.source);
      const b = unit(dependency.resolved);
      if (a === b) continue;
      if (!edges.has(a)) edges.set(a, new Set());
      edges.get(a).add(b);
      moduleEdges.push({ a, b, from: module.source, to: dependency.resolved, typeOnly: dependency.dependencyTypes.includes('type-only') });
    }
  }
  const cycles = stronglyConnected(edges).map((component) => {
    const members = new Set(component);
    return {
      folders: component,
      edges: moduleEdges.filter((e) => members.has(e.a) && members.has(e.b)).map(({ from, to, typeOnly }) => ({ from, to, typeOnly })),
    };
  });
  return { units: new Set(modules.map((m) => unit(m.source))).size, cycles };
}

/** Cruises `dirs` (relative to baseDir) with the given dependency-cruiser config, as the depcruise CLI does. */
export async function cruiseTree(dirs, { baseDir = process.cwd(), config = join(repoRoot, '.dependency-cruiser.cjs') } = {}) {
  const options = await extractDepcruiseOptions(config);
  const tsConfigFile = options.ruleSet?.options?.tsConfig?.fileName;
  const tsConfigPath = tsConfigFile && [resolve(baseDir, tsConfigFile), resolve(repoRoot, tsConfigFile)].find((p) => existsSync(p));
  const tsConfig = tsConfigPath ? extractTSConfig(tsConfigPath) : {};
  const { output } = await cruise(dirs, { ...options, baseDir, outputType: 'json' }, {}, { tsConfig });
  return typeof output === 'string' ? JSON.parse(output) : output;
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'base-dir': { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const baseDir = resolve(values['base-dir'] ?? process.cwd());
  const roots = (positionals.length ? positionals : ['src', 'migrations']).map((d) => d.replace(/\/+$/, '')).filter((d) => existsSync(join(baseDir, d)));
  const result = await cruiseTree(roots, { baseDir, config: values.config ? resolve(values.config) : undefined });
  const { units, cycles } = folderCycles(result, roots);
  if (values.json) {
    console.log(JSON.stringify({ cycles }, null, 2));
  } else {
    for (const cycle of cycles) {
      console.log(`folder cycle: ${cycle.folders.join(' <-> ')}`);
      for (const e of cycle.edges) console.log(`  ${e.from} → ${e.to}${e.typeOnly ? ' (type-only)' : ''}`);
    }
    console.log(`folder cycles: ${cycles.length} (${units} folders and composition roots of ${roots.join(', ')})`);
  }
  process.exitCode = cycles.length ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
