/** What the generated client needs to know of a project's hubs, read by `readHubs()`. */

export interface HubModel {
  /** The hub class's name (`ChatHub`). */
  readonly className: string;
  /** The path it is served at (`/chatHub`). */
  readonly path: string;
  readonly methods: readonly HubMethodModel[];
  /** The methods its clients implement (from `@Hub<ChatClient>()`); empty without a client interface. */
  readonly clientMethods: readonly ClientMethodModel[];
}

export interface ParameterModel {
  readonly name: string;
  /** The parameter's type as the client writes it; for an upload, the item type. */
  readonly type: string;
  readonly optional: boolean;
  /** An `@UploadStream()` parameter: the client passes a stream of `type`. */
  readonly upload: boolean;
  /** A rest parameter of a client method (a hub method's rest parameter is one array argument). */
  readonly rest: boolean;
}

export interface HubMethodModel {
  /** The method's name in TypeScript (`sendMessage`). */
  readonly name: string;
  /** The name clients invoke (`@HubMethod('SendMessage')`). */
  readonly wireName: string;
  /** The parameters the client passes, in order (`@HubCaller()` and other decorated ones left out). */
  readonly parameters: readonly ParameterModel[];
  /** A server-to-client stream: `type` is the item type. Otherwise `type` is the awaited result. */
  readonly streaming: boolean;
  readonly type: string;
  readonly documentation: string;
}

export interface ClientMethodModel {
  readonly name: string;
  readonly wireName: string;
  readonly parameters: readonly ParameterModel[];
  /** The awaited return type: what the client's handler returns to the hub (`void` for none). */
  readonly result: string;
  readonly documentation: string;
}

/** A type the generated client declares because hub signatures use it (a DTO class, interface, alias or enum). */
export interface TypeDeclarationModel {
  readonly name: string;
  /** The declaration's text, without `export`. */
  readonly text: string;
  /** Its doc comment, ready to print before it. */
  readonly documentation: string;
}

export interface ClientModel {
  readonly hubs: readonly HubModel[];
  readonly types: readonly TypeDeclarationModel[];
}
