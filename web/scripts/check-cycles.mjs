#!/usr/bin/env node
/**
 * Proves the import graph of web/src has no cycle: neither between folders (the layers of
 * scripts/layers.mjs) nor between files. Every import counts: static, type-only, re-exports,
 * dynamic import() and `new URL('./x.ts', import.meta.url)` workers. Test files (*.test.ts) are
 * not part of the product graph and are skipped. Exits 1 and prints each cycle found.
 *
 *   node scripts/check-cycles.mjs [srcDir]      (npm run lint runs it)
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { LAYERS } from './layers.mjs';

const src = path.resolve(process.argv[2] ?? new URL('../src', import.meta.url).pathname);

function sourceFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.ts$/.test(e.name) && !/\.(test|d)\.ts$/.test(e.name) ? [p] : [];
  });
}

function resolve(from, spec) {
  if (!spec.startsWith('.')) return null; // a package
  const base = path.resolve(path.dirname(from), spec);
  for (const p of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(p) && fs.statSync(p).isFile()) return p;
  }
  throw new Error(`${path.relative(src, from)}: cannot resolve '${spec}'`);
}

function importsOf(file) {
  const text = fs.readFileSync(file, 'utf8');
  const specs = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  for (const m of text.matchAll(/new URL\(\s*['"](\.[^'"]+)['"]\s*,\s*import\.meta\.url/g)) {
    specs.push(m[1]);
  }
  return specs.map((s) => resolve(file, s)).filter((p) => p && /\.ts$/.test(p));
}

/** Strongly connected components with more than one node, or a node importing itself (Tarjan). */
function cycles(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const found = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)?.has(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

const files = new Map();
const folders = new Map();
const folderOf = (f) => path.relative(src, f).split(path.sep)[0];
let edges = 0;
for (const file of sourceFiles(src)) {
  const rel = path.relative(src, file);
  const deps = new Set(importsOf(file).map((p) => path.relative(src, p)));
  files.set(rel, deps);
  edges += deps.size;
  const from = folderOf(file);
  if (!folders.has(from)) folders.set(from, new Set());
  for (const d of deps) {
    const to = d.split(path.sep)[0];
    if (to !== from) folders.get(from).add(to);
  }
}

const layered = new Set(LAYERS.flat());
const unlisted = [...folders.keys()].filter((f) => f.includes('.') === false && !layered.has(f));
const folderCycles = cycles(folders);
const fileCycles = cycles(files);

console.log(`${files.size} files, ${edges} imports, ${folders.size} folders`);
for (const [from, to] of [...folders].sort())
  console.log(`  ${from} -> ${[...to].sort().join(', ') || '(nothing)'}`);
for (const c of folderCycles) console.log(`FOLDER CYCLE: ${c.join(' <-> ')}`);
for (const c of fileCycles) console.log(`FILE CYCLE: ${c.join(' <-> ')}`);
for (const f of unlisted) console.log(`FOLDER NOT IN scripts/layers.mjs: ${f}`);
if (folderCycles.length || fileCycles.length || unlisted.length) process.exit(1);
console.log('no cycle between folders, no cycle between files');
