import { HubException } from './hub-exception.js';
import { type ReceiveFlow, UploadChannel } from './upload-channel.js';

/**
 * The upload streams of one connection, by stream id (ASP.NET Core's
 * StreamTracker). An invocation with `streamIds` opens one channel per id;
 * the client's StreamItems and Completions under those ids feed them.
 */
export class StreamTracker {
  private readonly channels = new Map<string, UploadChannel>();

  constructor(
    private readonly capacity: number,
    private readonly flow: ReceiveFlow,
  ) {}

  /** The id of the first stream already open, if any: ids must be unique on a connection. */
  findOpen(streamIds: readonly string[]): string | undefined {
    return streamIds.find((id) => this.channels.has(id));
  }

  open(streamIds: readonly string[]): UploadChannel[] {
    return streamIds.map((id) => {
      const channel = new UploadChannel(this.capacity, this.flow);
      this.channels.set(id, channel);
      return channel;
    });
  }

  /** False when the stream's buffer is full: the connection must stop reading. Unknown ids are ignored. */
  write(streamId: string, item: unknown): boolean {
    return this.channels.get(streamId)?.write(item) ?? true;
  }

  /** Ends an upload stream; false when no upload stream has this id. */
  complete(streamId: string, error: string | undefined): boolean {
    const channel = this.channels.get(streamId);
    if (!channel) return false;
    this.channels.delete(streamId);
    // As in ASP.NET Core, the client's error reaches the method as a HubException.
    channel.complete(error === undefined ? undefined : new HubException(error));
    return true;
  }

  /** The invocation that read these streams is over: what the client still sends is dropped. */
  close(streamIds: readonly string[], channels: readonly UploadChannel[]): void {
    for (let i = 0; i < streamIds.length; i++) {
      if (this.channels.get(streamIds[i]) === channels[i]) this.channels.delete(streamIds[i]);
      channels[i].abandon();
    }
  }

  /** The connection is gone: readers still waiting get `error`. */
  completeAll(error: Error): void {
    for (const channel of this.channels.values()) channel.complete(error);
    this.channels.clear();
  }

  get size(): number {
    return this.channels.size;
  }
}
