// The PeerJS server (npm `peer` 1.0.2) as people run it: PeerServer({port, path}) — here with a raised
// concurrent_limit (default 5,000) so the idle and connect runs are not cut by it. A second port
// answers /mem (heap after a forced GC, RSS) for the benchmark's idle scenario.
import { PeerServer } from 'peer';
import { createServer } from 'node:http';

const port = Number(process.env.PORT);
const limit = Number(process.env.CONCURRENT_LIMIT || 5000);
PeerServer({ port, host: '127.0.0.1', path: '/', concurrent_limit: limit }, () => {
  console.log(`peerjs listening port=${port} concurrent_limit=${limit}`);
});
createServer((req, res) => {
  if (req.url === '/mem') {
    if (global.gc) global.gc();
    const m = process.memoryUsage();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ heapUsed: m.heapUsed, rss: m.rss }));
  } else {
    res.statusCode = 200;
    res.end('ok');
  }
}).listen(Number(process.env.ADMIN_PORT), '127.0.0.1');
