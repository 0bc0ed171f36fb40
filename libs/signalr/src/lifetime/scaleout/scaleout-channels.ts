/**
 * Channel names of one hub: `{prefix}:{hub path}:…`, so several apps (with
 * their own prefixes) and several hubs share one broker. A node subscribes to
 * `all` and to its own `node` channel, and to a `group` or `user` channel only
 * while one of its connections is in that group or is that user. Names are
 * exact (never patterns), so group names and user ids need no escaping; a bus
 * whose broker restricts names maps them (NATS subjects, for one).
 */
export class ScaleoutChannels {
  /** Sends to every connection (`all`, `allExcept`, `others`), and the nodes' presence. */
  readonly all: string;
  private readonly base: string;

  constructor(prefix: string, hubPath: string) {
    this.base = `${prefix}:${hubPath}`;
    this.all = `${this.base}:all`;
  }

  group(groupName: string): string {
    return `${this.base}:group:${groupName}`;
  }

  user(userId: string): string {
    return `${this.base}:user:${userId}`;
  }

  /** A node's inbox: sends to its connections, group commands, acks, client results, presence replies. */
  node(nodeId: string): string {
    return `${this.base}:node:${nodeId}`;
  }
}
