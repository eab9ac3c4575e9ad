// The tutorials' server: the ws library's WebSocketServer sending every text message to every client.
const { WebSocketServer, WebSocket } = require('ws');

const port = Number(process.env.PORT || process.argv[2] || 8090);
const wss = new WebSocketServer({ host: '127.0.0.1', port });

wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    for (const client of wss.clients) {
      if (client.readyState === WebSocket.OPEN) {
        client.send(data, { binary: isBinary });
      }
    }
  });
});

wss.on('listening', () => console.log(`reference server listening on ws://127.0.0.1:${port}/`));
process.on('SIGTERM', () => process.exit(0));
