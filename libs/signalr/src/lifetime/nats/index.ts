// `nest-signalr/nats`: the NATS backplane, a separate entry point so that
// apps without it never load the NATS client.
export { natsBackplane, type NatsBackplaneOptions } from './nats-backplane.js';
