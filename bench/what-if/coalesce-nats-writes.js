import { createRequire } from 'node:module';
import path from 'node:path';
import { setImmediate } from 'node:timers';

// What-if, loaded with `node --import`: the NATS client writes every protocol
// frame to its socket as soon as it is flushed, one write per published event.
// This corks the socket at the first frame of an event-loop turn and uncorks it
// on setImmediate, so the frames of one turn leave in one write.
const require = createRequire(import.meta.url);
const { NodeTransport } = require(path.join(path.dirname(require.resolve('nats')), 'lib/src/node_transport.js'));
const send = NodeTransport.prototype.send;
NodeTransport.prototype.send = function sendCorked(frame) {
  const socket = this.socket;
  if (socket !== undefined && !this.isClosed && !socket.writableCorked) {
    socket.cork();
    setImmediate(() => socket.uncork());
  }
  send.call(this, frame);
};
