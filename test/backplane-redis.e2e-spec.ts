import { randomUUID } from 'node:crypto';
import { redisBackplane } from 'nest-signalr/redis';
import { describeBackplaneSpecification } from './support/backplane-specification.js';
import { OwnRedisServer, skipWithoutRedisServer } from './support/redis.js';

// A redis-server of this suite's own, killed and restarted for the outage.
const skip = skipWithoutRedisServer();
const redis = skip ? undefined : await OwnRedisServer.start();
afterAll(() => redis?.stop());

describe.skipIf(skip)('Redis', () => {
  describeBackplaneSpecification({
    brokerName: 'Redis',
    backplane: (options) =>
      redisBackplane({
        url: redis!.url,
        prefix: `spec-${randomUUID()}`,
        redis: { retryStrategy: () => 50 },
        ...options,
      }),
    outage: () => redis!.stop(),
    recover: () => redis!.start(),
  });
});
