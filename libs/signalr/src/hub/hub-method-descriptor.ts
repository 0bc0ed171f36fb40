/** What the dispatcher knows of a hub method before any client calls it. */
export interface HubMethodDescriptor {
  /** The target name clients invoke (matched case-insensitively). */
  readonly name: string;
  readonly methodKey: string | symbol;
  /** How many arguments a client must send. */
  readonly parameterCount: number;
  /** How many upload streams (`streamIds`) a client must send. */
  readonly streamParameterCount: number;
  /** Returns an AsyncIterable or Observable: a server-to-client stream. */
  readonly streaming: boolean;
}
