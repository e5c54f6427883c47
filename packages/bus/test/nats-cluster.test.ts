import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consume, createOutboxRelay, ensureStreams, streamName, type Consumption, type OutboxRelay } from '../src/index.js';
import { recordEffect } from './support/effect.handler.js';
import { enqueueMany } from './support/events.builder.js';
import { createBusFixture, waitFor, type BusFixture } from './support/test-bus.fixture.js';

// A 3-node JetStream cluster on loopback ports with streams of 3 replicas (R3): a node killed
// with SIGKILL in the middle of a burst loses nothing, nothing is processed twice, and the
// outbox relay and the consumer carry on through the nodes that remain.

const TOTAL = 3_000;
const natsServer = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/bin']
  .map((dir) => join(dir, 'nats-server'))
  .find((path) => existsSync(path));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => (socket.destroy(), resolve(false)));
  });
}

interface Node {
  name: string;
  clientPort: number;
  process: ChildProcess;
}

describe.runIf(natsServer !== undefined)('a 3-node NATS cluster with R3 streams', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-nats-cluster-'));
  const nodes: Node[] = [];
  let fx: BusFixture;
  let consumption: Consumption | undefined;
  let relay: OutboxRelay | undefined;

  beforeAll(async () => {
    const clientPorts = [await freePort(), await freePort(), await freePort()];
    const clusterPorts = [await freePort(), await freePort(), await freePort()];
    const routes = clusterPorts.map((p) => `nats://127.0.0.1:${p}`).join(',');
    for (const [i, clientPort] of clientPorts.entries()) {
      const name = `n${i + 1}`;
      const args = ['-a', '127.0.0.1', '-p', String(clientPort), '-js', '-sd', join(dir, name), '--server_name', name];
      args.push('--cluster_name', 'dgtest', '--cluster', `nats://127.0.0.1:${clusterPorts[i]}`, '--routes', routes);
      nodes.push({ name, clientPort, process: spawn(natsServer ?? 'nats-server', args, { stdio: 'ignore' }) });
    }
    for (const node of nodes) await waitFor(() => answers(node.clientPort), `${node.name} listening`, 20_000, 100);
    const urls = nodes.map((n) => `nats://127.0.0.1:${n.clientPort}`);
    // The fixture declares the streams as soon as JetStream has a meta leader; retry until it has.
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        fx = await createBusFixture('cluster', { replicas: 3 }, urls);
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  });

  afterAll(async () => {
    await relay?.stop();
    await consumption?.stop();
    await fx?.cleanup().catch(() => undefined);
    for (const node of nodes) node.process.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('declares every stream with three replicas', async () => {
    await ensureStreams(fx.bus);
    const info = await fx.bus.jsm.streams.info(streamName(fx.bus.config, 'CMD'));
    expect(info.config.num_replicas).toBe(3);
    expect(info.cluster?.replicas?.length).toBe(2);
  });

  it('loses and duplicates nothing when a node is killed mid-burst', async () => {
    consumption = await consume({
      db: fx.db,
      bus: fx.bus,
      log: fx.log,
      service: 'cluster',
      key: 'cmd.repo.sync.v1',
      handler: recordEffect('cluster'),
      concurrency: 8,
    });
    relay = createOutboxRelay({
      db: fx.db,
      bus: fx.bus,
      log: fx.log,
      batchSize: 100,
      pollIntervalMs: 100,
      publishTimeoutMs: 2_000,
    });
    relay.start();
    const burst = enqueueMany(fx.db, fx.bus, TOTAL, { perTx: 100, writers: 2 });
    await waitFor(async () => (await fx.effectCounts()).total >= TOTAL / 4, 'a quarter processed', 90_000, 50);
    // Kill the node that leads the stream, the worst one to lose.
    const info = await fx.bus.jsm.streams.info(streamName(fx.bus.config, 'CMD'));
    const victim = nodes.find((n) => n.name === info.cluster?.leader) ?? nodes[0];
    victim?.process.kill('SIGKILL');
    await burst;
    await waitFor(async () => (await fx.effectCounts()).distinct >= TOTAL, 'every message processed', 180_000, 200);
    // Settle: a redelivery after the failover would show up as a second effect row.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await fx.effectCounts()).toEqual({ total: TOTAL, distinct: TOTAL });
    const left = await fx.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('published_at', 'is', null)
      .executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(0);
    expect(fx.bus.nc.isClosed()).toBe(false);
  });
});
