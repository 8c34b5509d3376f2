// One Socket.IO 4 node clustered through Redis with @socket.io/redis-adapter, written the idiomatic
// way: rooms via socket.join(room), delivery to a peer via io.to(peerId).emit(...) (every socket is
// in the room named by its own id). /readyz and /mem (heap after a forced GC, RSS) for the bench.
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';

const port = Number(process.env.PORT);
const pubClient = createClient({ url: process.env.REDIS_URL });
const subClient = pubClient.duplicate();
await Promise.all([pubClient.connect(), subClient.connect()]);

const httpServer = createServer((req, res) => {
  if (req.url === '/mem') {
    if (global.gc) global.gc();
    const m = process.memoryUsage();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ heapUsed: m.heapUsed, rss: m.rss }));
  } else if (req.url === '/readyz') {
    res.end('{"ready":true}');
  }
});
const io = new Server(httpServer, {
  adapter: createAdapter(pubClient, subClient),
  transports: ['websocket'],
  serveClient: false,
});
io.on('connection', (socket) => {
  socket.on('join', (room) => {
    socket.join(room);
    socket.to(room).emit('peer-joined', { id: socket.id });
    socket.emit('welcome', { peerId: socket.id });
  });
  socket.on('signal', ({ to, data }) => {
    io.to(to).emit('signal', { from: socket.id, data });
  });
});
httpServer.listen(port, '127.0.0.1', () => console.log(`socket.io node listening port=${port}`));
