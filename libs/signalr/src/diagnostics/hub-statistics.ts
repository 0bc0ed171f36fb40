/**
 * A hub's running totals on this node since it started: plain numbers that
 * hot paths increment, read by the observable instruments and the admin panel.
 */
export class HubStatistics {
  messagesReceived = 0;
  messagesSent = 0;
  invocations = 0;
  failedInvocations = 0;
  slowConsumerDrops = 0;
}
