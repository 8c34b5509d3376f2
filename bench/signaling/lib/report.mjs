// Small helpers the suites share: medians, number formatting, ratios and a plain-text table.
export const median = (xs) => {
  const s = xs.filter((x) => x != null).sort((a, b) => a - b);
  if (!s.length) return null;
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};
export const fmt = (x, d = 0) => (x == null ? '-' : typeof x === 'number' ? x.toFixed(d) : String(x));
export const ratio = (a, b) => (a != null && b ? Math.round((a / b) * 100) / 100 : null);

export function table(title, cols, rows) {
  const w = cols.map((c) => Math.max(c.h.length, ...rows.map((r) => fmt(r[c.k], c.d).length)));
  console.log(`\n${title}`);
  console.log(cols.map((c, i) => c.h.padStart(w[i])).join('  '));
  for (const r of rows) console.log(cols.map((c, i) => fmt(r[c.k], c.d).padStart(w[i])).join('  '));
}
