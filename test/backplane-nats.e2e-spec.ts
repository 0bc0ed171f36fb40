import { randomUUID } from 'node:crypto';
import { natsBackplane } from 'nest-signalr/nats';
import { describeBackplaneSpecification } from './support/backplane-specification.js';
import { OwnNatsServer, skipWithoutNatsServer } from './support/nats.js';

// A nats-server of this suite's own, killed and restarted for the outage.
const skip = skipWithoutNatsServer();
const nats = skip ? undefined : await OwnNatsServer.start();
afterAll(() => nats?.stop());

describe.skipIf(skip)('NATS', () => {
  describeBackplaneSpecification({
    brokerName: 'NATS',
    backplane: (options) =>
      natsBackplane({
        servers: nats!.url,
        prefix: `spec-${randomUUID()}`,
        nats: { reconnectTimeWait: 50 },
        ...options,
      }),
    outage: () => nats!.stop(),
    recover: () => nats!.start(),
  });
});
