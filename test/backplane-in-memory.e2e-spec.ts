import { InMemoryBroker, inMemoryBackplane } from 'nest-signalr';
import { describeBackplaneSpecification } from './support/backplane-specification.js';

// The reference bus: nodes in one process, a broker that can be stopped.
const broker = new InMemoryBroker();

describeBackplaneSpecification({
  brokerName: 'in-memory',
  backplane: (options) => inMemoryBackplane(broker, options),
  outage: async () => broker.stop(),
  recover: async () => broker.start(),
});
