// Operators' dashboard: polls GET /api/nodes every second and charts the last five minutes of
// every node with uPlot (served by the balancer from its webjar). No framework, no build step.
(function () {
  "use strict";

  const POLL_MS = 1000;
  const REQUEST_TIMEOUT_MS = 3000;
  const WINDOW_S = 300;
  const GONE_ROW_KEEP_S = 60;
  const CHART_HEIGHT = 220;
  const PALETTE = [
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
  ];
  const MIB = 1024 * 1024;

  const METRICS = [
    { key: "connections", title: "Connections", value: (n) => n.connections, fmt: (v) => fmtInt(v) },
    { key: "rooms", title: "Rooms", value: (n) => n.rooms, fmt: (v) => fmtInt(v) },
    { key: "msgs", title: "Messages / s", value: (n) => n.msgsPerSec, fmt: (v) => fmtNum(v, 1) },
    { key: "lag", title: "Event-loop lag (ms)", value: (n) => n.eventLoopLagMs, fmt: (v) => fmtNum(v, 1) + " ms" },
    { key: "heap", title: "Heap used (MiB)", value: (n) => n.heapUsedBytes / MIB, fmt: (v) => fmtNum(v, 0) + " MiB" },
  ];

  const times = []; // sample times, unix seconds
  const history = new Map(); // node id -> { metricKey -> [values aligned with times] }
  const lastSeen = new Map(); // node id -> { node, at } (at = unix seconds of the last sample with it)
  const colors = new Map(); // node id -> color, stable for the page's life
  let charts = [];
  let chartNodes = "";

  const $ = (id) => document.getElementById(id);

  function fmtInt(v) {
    return v == null ? "–" : Math.round(v).toLocaleString();
  }
  function fmtNum(v, digits) {
    return v == null ? "–" : Number(v).toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: digits });
  }
  function fmtBytes(b) {
    return b == null ? "–" : (b / MIB).toFixed(0);
  }
  function colorOf(id) {
    if (!colors.has(id)) colors.set(id, PALETTE[colors.size % PALETTE.length]);
    return colors.get(id);
  }
  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function record(nodes) {
    const now = Date.now() / 1000;
    times.push(now);
    for (const series of history.values()) for (const m of METRICS) series[m.key].push(null);
    for (const n of nodes) {
      let series = history.get(n.id);
      if (!series) {
        series = {};
        for (const m of METRICS) series[m.key] = new Array(times.length).fill(null);
        history.set(n.id, series);
      }
      for (const m of METRICS) series[m.key][times.length - 1] = m.value(n);
      lastSeen.set(n.id, { node: n, at: now });
    }
    // drop what fell out of the window, and nodes with nothing left in it
    while (times.length > 0 && times[0] < now - WINDOW_S) {
      times.shift();
      for (const series of history.values()) for (const m of METRICS) series[m.key].shift();
    }
    for (const [id, series] of history) {
      if (series[METRICS[0].key].every((v) => v == null)) history.delete(id);
    }
    for (const [id, seen] of lastSeen) {
      if (seen.at < now - GONE_ROW_KEEP_S) lastSeen.delete(id);
    }
  }

  function chartWidth(el) {
    return Math.max(280, el.clientWidth - 24);
  }

  function buildCharts() {
    const ids = [...history.keys()].sort();
    const key = ids.join("\u0000");
    if (key === chartNodes && charts.length) return ids;
    chartNodes = key;
    charts.forEach((c) => c.plot.destroy());
    charts = [];
    const box = $("charts");
    box.textContent = "";
    const axisColor = cssVar("--muted");
    const gridColor = cssVar("--border");
    for (const m of METRICS) {
      const wrap = document.createElement("div");
      wrap.className = "chart";
      const h = document.createElement("h3");
      h.textContent = m.title;
      wrap.appendChild(h);
      box.appendChild(wrap);
      const opts = {
        width: chartWidth(wrap),
        height: CHART_HEIGHT,
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [
          { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor } },
          { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor }, size: 60 },
        ],
        series: [{}].concat(
          ids.map((id) => ({
            label: id,
            stroke: colorOf(id),
            width: 2,
            spanGaps: false,
            // without a cursor over the chart, the legend shows each node's latest value
            value: (u, v, sidx, idx) => m.fmt(idx == null ? latest(u.data[sidx]) : v),
          })),
        ),
      };
      const plot = new uPlot(opts, dataFor(m, ids), wrap);
      charts.push({ metric: m, plot, wrap });
    }
    return ids;
  }

  function latest(values) {
    for (let i = values.length - 1; i >= 0; i--) if (values[i] != null) return values[i];
    return null;
  }

  function dataFor(m, ids) {
    return [times.slice()].concat(ids.map((id) => history.get(id)[m.key].slice()));
  }

  function updateCharts() {
    const ids = buildCharts();
    for (const c of charts) c.plot.setData(dataFor(c.metric, ids));
  }

  function cell(tr, text, cls) {
    const td = document.createElement("td");
    if (cls) td.className = cls;
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  function updateTable(nodes, serverNowMs) {
    const now = Date.now() / 1000;
    const liveIds = new Set(nodes.map((n) => n.id));
    const rows = [...lastSeen.values()].sort((a, b) => a.node.id.localeCompare(b.node.id));
    const tbody = document.createElement("tbody");
    if (rows.length === 0) {
      const tr = document.createElement("tr");
      const td = cell(tr, "No signaling node is up.", "muted");
      td.colSpan = 11;
      tbody.appendChild(tr);
    }
    for (const { node: n, at } of rows) {
      const gone = !liveIds.has(n.id);
      const state = gone ? "gone" : n.state === "draining" ? "draining" : "up";
      const tr = document.createElement("tr");
      if (gone) tr.className = "gone";
      const name = cell(tr, "");
      const sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = colorOf(n.id);
      name.appendChild(sw);
      name.appendChild(document.createTextNode(n.id));
      const st = cell(tr, "");
      const badge = document.createElement("span");
      badge.className = "badge " + state;
      badge.textContent = state;
      st.appendChild(badge);
      cell(tr, n.url || "");
      cell(tr, fmtInt(n.connections), "num");
      cell(tr, fmtInt(n.rooms), "num");
      cell(tr, fmtInt(n.peers), "num");
      cell(tr, fmtNum(n.msgsPerSec, 1), "num");
      cell(tr, fmtNum(n.eventLoopLagMs, 1) + " ms", "num");
      cell(tr, fmtBytes(n.heapUsedBytes) + " / " + fmtBytes(n.heapMaxBytes) + " MiB", "num");
      cell(tr, n.cpu == null ? "–" : Math.round(n.cpu * 100) + " %", "num");
      // ages of live nodes use the balancer's clock (Date header): the browser's may be off
      const age = gone ? Math.round(now - at) : Math.max(0, Math.round((serverNowMs - n.lastSeen) / 1000));
      cell(tr, age + " s ago", "num");
      tbody.appendChild(tr);
    }
    $("nodes").replaceChild(tbody, $("nodes").tBodies[0]);
  }

  function updateTotals(nodes) {
    const up = nodes.filter((n) => n.state !== "draining").length;
    const draining = nodes.length - up;
    const sum = (f) => nodes.reduce((acc, n) => acc + (Number(f(n)) || 0), 0);
    $("t-nodes").textContent = up;
    $("t-draining").textContent = draining ? draining + " draining" : "";
    $("t-connections").textContent = fmtInt(sum((n) => n.connections));
    $("t-rooms").textContent = fmtInt(sum((n) => n.rooms));
    $("t-peers").textContent = fmtInt(sum((n) => n.peers));
    $("t-msgs").textContent = fmtNum(sum((n) => n.msgsPerSec), 1);
  }

  /** Opt-in analytics of this balancer: count, direct/stun/relay split, mean speed. */
  async function pollAnalytics() {
    try {
      const res = await fetch("/api/analytics/summary", { cache: "no-store" });
      if (!res.ok) return;
      const a = await res.json();
      $("a-reports").textContent = fmtInt(a.reports);
      const c = a.byConnection || {};
      $("a-detail").textContent =
        "direct " + fmtInt(c.direct || 0) + " · stun " + fmtInt(c.stun || 0) + " · relay " + fmtInt(c.relay || 0) +
        (a.reports ? " · avg " + fmtBytes(a.meanAvgBytesPerSec) + " MiB/s" : "");
    } catch (e) {
      // analytics are optional: the node charts go on without them
    }
  }

  function setStatus(ok, text) {
    $("status").className = "status " + (ok ? "ok" : "bad");
    $("status-text").textContent = text;
  }

  async function poll() {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), REQUEST_TIMEOUT_MS);
    try {
      const res = await fetch("/api/nodes", { cache: "no-store", signal: ctl.signal });
      if (!res.ok) throw new Error("HTTP " + res.status);
      const body = await res.json();
      const nodes = Array.isArray(body.nodes) ? body.nodes : [];
      const serverNowMs = Date.parse(res.headers.get("date") || "") || Date.now();
      record(nodes);
      updateTotals(nodes);
      updateTable(nodes, serverNowMs);
      updateCharts();
      pollAnalytics();
      setStatus(true, "live · " + new Date().toLocaleTimeString());
    } catch (e) {
      setStatus(false, "balancer not answering (" + (e.name === "AbortError" ? "timeout" : e.message) + ")");
    } finally {
      clearTimeout(timer);
      setTimeout(poll, POLL_MS);
    }
  }

  window.addEventListener("resize", () => {
    for (const c of charts) c.plot.setSize({ width: chartWidth(c.wrap), height: CHART_HEIGHT });
  });
  const scheme = window.matchMedia("(prefers-color-scheme: dark)");
  if (scheme.addEventListener) scheme.addEventListener("change", () => { chartNodes = ""; updateCharts(); });

  poll();
})();
