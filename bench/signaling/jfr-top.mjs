// Hot spots of a JFR recording: top leaf frames (self time), top frames by inclusive time, and
// a split by package family. Usage: node jfr-top.mjs <file.jfr> [top=25]
import { execFileSync } from 'node:child_process';

const [file, topArg] = process.argv.slice(2);
const TOP = Number(topArg || 25);
const text = execFileSync('jfr', ['print', '--stack-depth', '64', '--events', 'jdk.ExecutionSample', file], { maxBuffer: 1 << 30 }).toString();
const samples = [];
for (const block of text.split('jdk.ExecutionSample {').slice(1)) {
  const thread = (/sampledThread = "([^"]+)"/.exec(block) || [])[1] || '?';
  const st = /stackTrace = \[([\s\S]*?)\n\s*\]/.exec(block);
  const frames = st ? st[1].split('\n').map((l) => l.trim().replace(/\s+line:.*$/, '')).filter((l) => l && l !== '...') : [];
  samples.push({ thread: thread.replace(/\d+$/, 'N'), frames });
}
const n = samples.length;
const pct = (c) => ((c * 100) / n).toFixed(1).padStart(5) + '%';
const count = (keyFn) => {
  const m = new Map();
  for (const s of samples) for (const k of new Set([].concat(keyFn(s)).filter(Boolean))) m.set(k, (m.get(k) || 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1]);
};
const family = (f) => {
  const pk = [
    ['p2pshare', 'p2p-share code'],
    ['com.fasterxml.jackson', 'Jackson (JSON)'],
    ['io.vertx.core.json', 'Vert.x JSON'],
    ['io.vertx.core.eventbus', 'Vert.x event bus'],
    ['io.vertx', 'Vert.x other'],
    ['io.netty', 'Netty'],
    ['com.hazelcast', 'Hazelcast'],
    ['io.micrometer', 'Micrometer'],
    ['sun.nio', 'JDK NIO'],
    ['java.', 'JDK'],
    ['jdk.', 'JDK'],
    ['sun.', 'JDK'],
  ];
  for (const [p, name] of pk) if (f.startsWith(p)) return name;
  return 'other';
};
console.log(`${n} execution samples in ${file}`);
console.log('\nby thread:');
for (const [k, c] of count((s) => s.thread).slice(0, 8)) console.log(`  ${pct(c)}  ${k}`);
console.log('\ntop frames, self (leaf):');
for (const [k, c] of count((s) => s.frames[0]).slice(0, TOP)) console.log(`  ${pct(c)}  ${k}`);
console.log('\ntop p2p-share / Vert.x / Jackson / Netty frames, inclusive:');
for (const [k, c] of count((s) => s.frames.filter((f) => /^(p2pshare|io\.vertx|com\.fasterxml|io\.netty\.handler|io\.micrometer|com\.hazelcast)/.test(f))).slice(0, TOP))
  console.log(`  ${pct(c)}  ${k}`);
console.log('\nself time by library (leaf frame):');
for (const [k, c] of count((s) => family(s.frames[0] || 'other'))) console.log(`  ${pct(c)}  ${k}`);
