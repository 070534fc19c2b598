import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { connect, StorageType, type JetStreamManager, type NatsConnection } from 'nats';
import { NatsCluster } from '../../src/nats-cluster.js';
import { requireNatsServer } from '../../src/nats-server.js';

const STREAM = 'HARNESS';

async function addReplicatedStream(cluster: NatsCluster): Promise<JetStreamManager> {
  const jsm = await (await cluster.connection()).jetstreamManager();
  await jsm.streams.add({ name: STREAM, subjects: ['harness.>'], num_replicas: 3, storage: StorageType.File });
  await cluster.streamLeader(STREAM);
  return jsm;
}

async function publishCount(nc: NatsConnection, count: number): Promise<void> {
  const js = nc.jetstream();
  for (let index = 0; index < count; index += 1) await js.publish('harness.event', new TextEncoder().encode(String(index)), { timeout: 5000 });
}

describe('NatsCluster', function () {
  this.timeout(90_000);

  describe('with direct routes', () => {
    let cluster: NatsCluster;
    let jsm: JetStreamManager;

    before(async function () {
      requireNatsServer(this);
      cluster = await NatsCluster.start();
      jsm = await addReplicatedStream(cluster);
    });

    after(async () => {
      await cluster?.stop();
    });

    it('starts three named servers with their own stores on distinct ports and elects a meta leader', async () => {
      const names = cluster.nodes.map((node) => node.name);
      expect(names).to.deep.equal(['n1', 'n2', 'n3']);
      expect(new Set(cluster.nodes.map((node) => node.server.storeDir)).size).to.equal(3);
      expect(new Set(cluster.nodes.map((node) => node.clientPort)).size).to.equal(3);
      expect(names).to.include(await cluster.waitForMetaLeader());
      for (const node of cluster.nodes) expect((await node.jsz())?.meta_cluster?.cluster_size).to.equal(3);
    });

    it('places a three-replica stream on all three servers', async () => {
      const placement = await cluster.streamPlacement(STREAM);

      expect([placement.leader, ...placement.replicas.map((peer) => peer.name)].sort()).to.deep.equal(['n1', 'n2', 'n3']);
    });

    it('makes the stream leader step down to another server', async () => {
      const former = await cluster.streamLeader(STREAM);

      const next = await cluster.stepDownStreamLeader(STREAM);

      expect(next.name).not.to.equal(former.name);
      expect((await cluster.streamLeader(STREAM)).name).to.equal(next.name);
    });

    it('kills the stream leader: another server leads, nothing stored is lost, and the restarted server catches up', async () => {
      const nc = await cluster.connection();
      await publishCount(nc, 50);
      const former = await cluster.streamLeader(STREAM);

      await cluster.kill(former);
      expect(former.running).to.equal(false);
      const next = await cluster.waitForNewStreamLeader(STREAM, former.name);
      await publishCount(nc, 50);
      await cluster.restart(former);
      expect((await cluster.waitForCurrentReplicas(STREAM, 30_000)).replicas).to.have.length(2);

      expect(next.name).not.to.equal(former.name);
      expect((await jsm.streams.info(STREAM)).state.messages).to.equal(100);
    });
  });

  describe('partitionable', () => {
    let cluster: NatsCluster;

    before(async function () {
      requireNatsServer(this);
      cluster = await NatsCluster.start({ partitionable: true });
      await addReplicatedStream(cluster);
    });

    after(async () => {
      await cluster?.stop();
    });

    it('isolates the stream leader: it keeps running, the other two elect a leader, and it rejoins when healed', async () => {
      const isolated = await cluster.streamLeader(STREAM);
      const onIsolated = await connect({ servers: isolated.url, reconnect: false });

      cluster.isolate(isolated);
      const next = await cluster.waitForNewStreamLeader(STREAM, isolated.name);
      // Its own client hears nothing: a request through it finds no one.
      const silent = await onIsolated.request('$JS.API.INFO', undefined, { timeout: 1000 }).then(() => 'answered', () => 'silent');
      await publishCount(await cluster.connection(), 20);
      cluster.heal(isolated);
      expect((await cluster.waitForCurrentReplicas(STREAM, 60_000)).replicas).to.have.length(2);
      await onIsolated.close().catch(() => undefined);

      expect(isolated.running).to.equal(true);
      expect(next.name).not.to.equal(isolated.name);
      expect(silent).to.equal('silent');
    });
  });
});
