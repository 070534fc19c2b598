import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { expect } from 'chai';
import { after, afterEach, before, describe, it } from 'mocha';
import { TcpProxy } from '@signup/test-support/tcp-proxy';

async function open(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  return socket;
}

/** Resolves with what comes back within `ms`, or undefined when nothing does. */
function reply(socket: Socket, ms = 1000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off('data', onData);
      resolve(undefined);
    }, ms);
    const onData = (data: Buffer): void => {
      clearTimeout(timer);
      resolve(data.toString());
    };
    socket.once('data', onData);
  });
}

/** Resolves with how the socket ended: `reset` (an error such as ECONNRESET) or `closed`. */
function ending(socket: Socket): Promise<'reset' | 'closed'> {
  return new Promise((resolve) => {
    socket.once('error', () => resolve('reset'));
    socket.once('close', () => resolve('closed'));
  });
}

describe('TcpProxy', () => {
  let echo: Server;
  let proxy: TcpProxy;
  const sockets: Socket[] = [];

  before(async () => {
    echo = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.pipe(socket);
    });
    echo.listen(0, '127.0.0.1');
    await once(echo, 'listening');
  });

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await proxy?.close();
  });

  after(async () => {
    echo.close();
    await once(echo, 'close');
  });

  async function through(): Promise<Socket> {
    const socket = await open(proxy.port);
    sockets.push(socket);
    return socket;
  }

  async function startProxy(): Promise<void> {
    const address = echo.address();
    if (address === null || typeof address === 'string') throw new Error('no echo port');
    proxy = await TcpProxy.start('127.0.0.1', address.port);
  }

  it('forwards both ways until cut, resets open and new connections while cut, and forwards again once restored', async () => {
    await startProxy();
    const earlier = await through();
    earlier.write('hello');
    expect(await reply(earlier)).to.equal('hello');

    const ended = ending(earlier);
    proxy.cut();
    expect(await ended).to.equal('reset');
    const refused = connect({ host: '127.0.0.1', port: proxy.port });
    sockets.push(refused);
    const refusedEnded = ending(refused);
    refused.write('anyone?');
    expect(await reply(refused, 500), 'nothing is forwarded').to.equal(undefined);
    expect(await refusedEnded, 'a new connection is closed at once').to.be.oneOf(['reset', 'closed']);

    proxy.restore();
    const later = await through();
    later.write('again');
    expect(await reply(later)).to.equal('again');
    expect(proxy.counts).to.deep.equal({ accepted: 2, refused: 1 });
  });

  it('holds traffic and new connections while frozen and lets them through once restored', async () => {
    await startProxy();
    const existing = await through();
    existing.write('one');
    expect(await reply(existing)).to.equal('one');

    proxy.freeze();
    const answer = reply(existing, 5000);
    existing.write('two');
    const held = await through();
    const heldAnswer = reply(held, 5000);
    held.write('three');
    expect(await Promise.race([answer, new Promise((resolve) => setTimeout(() => resolve('nothing yet'), 300))])).to.equal('nothing yet');

    proxy.restore();
    expect(await answer).to.equal('two');
    expect(await heldAnswer).to.equal('three');
    expect(proxy.openConnections).to.equal(2);
  });
});
