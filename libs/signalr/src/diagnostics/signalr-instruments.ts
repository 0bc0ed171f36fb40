import {
  type Attributes,
  type BatchObservableResult,
  createNoopMeter,
  type Histogram,
  type Meter,
  metrics,
  type ObservableCounter,
  type UpDownCounter,
} from '@opentelemetry/api';
import type { BackplaneTraffic } from './backplane-traffic.js';
import type { HubStatistics } from './hub-statistics.js';
import {
  CONNECTION_DURATION_BUCKETS,
  INVOCATION_DURATION_BUCKETS,
  SIGNALR_TELEMETRY_NAME,
  SignalRAttributes as Attr,
  SignalRMetricNames as Names,
} from './telemetry-names.js';

/** What the observable instruments read: a hub's totals and the attributes they are reported with. */
export interface ObservedHub {
  readonly statistics: HubStatistics;
  readonly attributes: Attributes;
}

/**
 * nest-signalr's instruments, created once per meter. Counts that change per
 * message (received, sent, drops, backplane traffic) are plain numbers in each
 * hub's statistics, read by observable counters when the SDK collects, so a
 * message costs an increment whether or not an SDK is installed.
 */
export class SignalRInstruments {
  readonly activeConnections: UpDownCounter;
  readonly connectionDuration: Histogram;
  readonly invocationDuration: Histogram;
  private readonly hubs = new Set<ObservedHub>();
  private readonly backplanes = new Map<BackplaneTraffic, Attributes>();

  private constructor(meter: Meter) {
    this.activeConnections = meter.createUpDownCounter(Names.activeConnections, {
      unit: '{connection}',
      description: 'Number of connections that are currently active on the server.',
    });
    this.connectionDuration = meter.createHistogram(Names.connectionDuration, {
      unit: 's',
      description: 'The duration of connections on the server.',
      advice: { explicitBucketBoundaries: CONNECTION_DURATION_BUCKETS },
    });
    this.invocationDuration = meter.createHistogram(Names.invocationDuration, {
      unit: 's',
      description: 'The duration of hub method invocations, streams until their completion.',
      advice: { explicitBucketBoundaries: INVOCATION_DURATION_BUCKETS },
    });
    const counter = (name: string, unit: string, description: string) =>
      meter.createObservableCounter(name, { unit, description });
    const observed: [ObservableCounter, (statistics: HubStatistics) => number][] = [
      [counter(Names.messagesReceived, '{message}', 'Hub messages received from clients.'), (s) => s.messagesReceived],
      [counter(Names.messagesSent, '{message}', 'Hub messages sent to clients.'), (s) => s.messagesSent],
      [
        counter(Names.slowConsumerDrops, '{connection}', 'Connections closed because they read too slowly.'),
        (s) => s.slowConsumerDrops,
      ],
    ];
    const backplane: [ObservableCounter, (traffic: BackplaneTraffic) => number][] = [
      [counter(Names.backplanePublishes, '{message}', 'Messages published to the backplane.'), (t) => t.publishes],
      [counter(Names.backplaneReceives, '{message}', 'Messages received from the backplane.'), (t) => t.receives],
      [
        counter(Names.backplaneErrors, '{message}', 'Backplane messages dropped, refused or not deliverable.'),
        (t) => t.errors,
      ],
    ];
    meter.addBatchObservableCallback(
      (result: BatchObservableResult) => {
        for (const hub of this.hubs) {
          for (const [instrument, read] of observed) result.observe(instrument, read(hub.statistics), hub.attributes);
        }
        for (const [traffic, attributes] of this.backplanes) {
          for (const [instrument, read] of backplane) result.observe(instrument, read(traffic), attributes);
        }
      },
      [...observed, ...backplane].map(([instrument]) => instrument),
    );
  }

  /** Reports a backplane node's traffic, with its broker and node id, until `forgetBackplane`. */
  observeBackplane(traffic: BackplaneTraffic, broker: string, nodeId: string): void {
    this.backplanes.set(traffic, { [Attr.backplane]: broker, [Attr.backplaneNode]: nodeId });
  }

  forgetBackplane(traffic: BackplaneTraffic): void {
    this.backplanes.delete(traffic);
  }

  /** Reports a hub's totals until `forget`. */
  observe(hub: ObservedHub): void {
    this.hubs.add(hub);
  }

  forget(hub: ObservedHub): void {
    this.hubs.delete(hub);
  }

  private static current?: { meter: Meter; instruments: SignalRInstruments };

  /**
   * The instruments of the meter the global MeterProvider gives now; undefined
   * while no SDK is installed (the API's no-op meter), so that nothing is even
   * timed. Hubs call this as they are created, after the app set up its SDK.
   */
  static get(): SignalRInstruments | undefined {
    const meter = metrics.getMeter(SIGNALR_TELEMETRY_NAME);
    if (meter === createNoopMeter()) return undefined;
    if (SignalRInstruments.current?.meter !== meter) {
      SignalRInstruments.current = { meter, instruments: new SignalRInstruments(meter) };
    }
    return SignalRInstruments.current.instruments;
  }
}
