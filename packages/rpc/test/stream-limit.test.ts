/**
 * A server that allows few concurrent streams (SETTINGS_MAX_CONCURRENT_STREAMS) gets a burst of
 * calls at connection time: the client queues what the limit does not let through — before the
 * server's SETTINGS are known too — and no call fails.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelOf, createClient } from '../src/index.js';
import { TestService } from './gen/grpc/testing/test_pb.js';
import { grpcTesting, grpcTestService } from './interop/test-service.js';

describe('a burst above a small MAX_CONCURRENT_STREAMS', () => {
  let server: grpc.Server;
  let port: number;
  beforeAll(async () => {
    server = new grpc.Server({ 'grpc.max_concurrent_streams': 10 });
    server.addService(grpcTesting.TestService.service, grpcTestService);
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
  });
  afterAll(() => server.forceShutdown());

  it('is queued, not refused: 200 calls on a new connection all succeed', async () => {
    const client = createClient(TestService, {
      target: `static:///127.0.0.1:${port}`,
      mux: { maxConnections: 1 },
    });
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, () =>
        client.unaryCall({ responseSize: 10 }, { timeoutMs: 10_000 }).then(
          () => 'ok',
          (err: Error) => err.message,
        ),
      ),
    );
    expect(outcomes.filter((o) => o !== 'ok')).toEqual([]);
    expect(channelOf(client).stats().endpoints[0]!.state).toBe('ready');
    client.close();
  });
});
