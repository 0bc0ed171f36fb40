/**
 * What one node's backplane carried since it started (all the app's hubs
 * share it): plain numbers the bus callbacks increment, read by the
 * observable instruments.
 */
export class BackplaneTraffic {
  /** Messages the broker took. */
  publishes = 0;
  /** Messages from other nodes handed to a hub. */
  receives = 0;
  /** Messages dropped (broker down or too slow), refused, or received and not deliverable. */
  errors = 0;
}
