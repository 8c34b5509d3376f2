// The ceiling for transfer throughput on this machine: two RTCPeerConnections in one headless
// Chromium page pushing 50 MiB of raw ArrayBuffers through one data channel (no app, no crypto,
// no storage), for several message sizes. Run: node bench/dc-ceiling.mjs
import { chromium } from 'playwright-core';
const b = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--allow-loopback-in-peer-connection',
  ],
});
const ctx = await b.newContext();
await ctx.grantPermissions(['camera', 'microphone']);
const p = await ctx.newPage();
await p.goto('data:text/html,<p>x</p>');
for (const size of [16384, 65536, 131072 + 36, 262144 - 64]) {
  const r = await p.evaluate(async (size) => {
    const a = new RTCPeerConnection(),
      c = new RTCPeerConnection();
    // loopback candidates only: the traffic stays on 127.0.0.1/::1
    const lo = (x) => / (127\.[0-9.]+|::1) /.test(x.candidate);
    a.onicecandidate = (e) => e.candidate && lo(e.candidate) && c.addIceCandidate(e.candidate);
    c.onicecandidate = (e) => e.candidate && lo(e.candidate) && a.addIceCandidate(e.candidate);
    const d1 = a.createDataChannel('x', { negotiated: true, id: 0 }),
      d2 = c.createDataChannel('x', { negotiated: true, id: 0 });
    d2.binaryType = 'arraybuffer';
    await a.setLocalDescription();
    await c.setRemoteDescription(a.localDescription);
    await c.setLocalDescription();
    await a.setRemoteDescription(c.localDescription);
    await new Promise((r) => (d1.readyState === 'open' ? r() : (d1.onopen = r)));
    const total = 50 * 1048576;
    let got = 0;
    const buf = new ArrayBuffer(size);
    const done = new Promise(
      (r) =>
        (d2.onmessage = (e) => {
          got += e.data.byteLength;
          if (got >= total) r();
        }),
    );
    const t0 = performance.now();
    d1.bufferedAmountLowThreshold = 1 << 20;
    for (let sent = 0; sent < total; sent += size) {
      if (d1.bufferedAmount > 8 << 20) await new Promise((r) => (d1.onbufferedamountlow = r));
      d1.send(buf);
    }
    await done;
    const s = (performance.now() - t0) / 1000;
    const st = await a.getStats();
    let ct = '';
    st.forEach((x) => {
      if (x.type === 'candidate-pair' && x.nominated && x.state === 'succeeded')
        ct = st.get(x.localCandidateId).address + ' <-> ' + st.get(x.remoteCandidateId).address;
    });
    a.close();
    c.close();
    return { mibps: 50 / s, ct };
  }, size);
  console.log(size, JSON.stringify(r));
}
await b.close();
