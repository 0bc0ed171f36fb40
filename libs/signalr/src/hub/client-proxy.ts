import { type ClientMethodWireNames, defineClientMethodsOnFirstUse } from './client-methods.js';

/**
 * Sends to the connections a selector picks (`clients.all`, `clients.group(name)`…).
 * With a client interface (`HubCallerContext<ChatClient>`), its methods are
 * callable on the proxy too: `clients.all.receiveMessage(user, text)`.
 */
export abstract class ClientProxy {
  static {
    defineClientMethodsOnFirstUse(
      this.prototype,
      (name, wireName) =>
        function (this: ClientProxy, ...args: unknown[]) {
          const names = this.clientMethodNames;
          return this.sendArguments(names === undefined ? wireName : (names[name] ?? wireName), args);
        },
    );
  }

  constructor(
    /** Wire names of typed client methods that differ from the default. */
    protected readonly clientMethodNames?: ClientMethodWireNames,
  ) {}

  /** Invokes `method` on every selected connection, without waiting for answers. */
  send(method: string, ...args: unknown[]): Promise<void> {
    return this.sendArguments(method, args);
  }

  protected abstract sendArguments(method: string, args: unknown[]): Promise<void>;
}

/**
 * Invokes `method` on the connection and resolves with the value its handler
 * returns (a client result), or rejects with its error.
 */
export type ClientInvoker = <T = unknown>(method: string, ...args: unknown[]) => Promise<T>;

const PROXY = Symbol('SingleClientProxy');
type BoundInvoker = ClientInvoker & { readonly [PROXY]: SingleClientProxy };
const invokerPrototype: object = Object.create(Function.prototype);

/** A proxy to exactly one connection, which can also ask it for a result. */
export abstract class SingleClientProxy extends ClientProxy {
  static {
    defineClientMethodsOnFirstUse(
      invokerPrototype,
      (name, wireName) =>
        function (this: BoundInvoker, ...args: unknown[]) {
          const proxy = this[PROXY];
          const names = proxy.clientMethodNames;
          return proxy.invokeArguments(names === undefined ? wireName : (names[name] ?? wireName), args);
        },
    );
  }

  private invoker?: ClientInvoker;

  /**
   * `invoke('GetAnswer', question)`, or with a client interface
   * `invoke.getAnswer(question)`, typed by the interface's return type.
   */
  get invoke(): ClientInvoker {
    return (this.invoker ??= this.bindInvoker());
  }

  protected abstract invokeArguments<T>(method: string, args: unknown[]): Promise<T>;

  // One function per proxy, made on first use (`clients.caller` is cached per connection).
  private bindInvoker(): ClientInvoker {
    const invoker = <T>(method: string, ...args: unknown[]) => this.invokeArguments<T>(method, args);
    Object.setPrototypeOf(invoker, invokerPrototype);
    return Object.defineProperty(invoker, PROXY, { value: this });
  }
}
