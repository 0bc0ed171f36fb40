import type { ClientMethodKey } from './client-methods.js';
import type { ClientProxy, SingleClientProxy } from './client-proxy.js';

type ArgumentsOf<F> = F extends (...args: infer A) => unknown ? A : never;
type ResultOf<F> = F extends (...args: never[]) => infer R ? Awaited<R> : never;

/** A client interface's methods as sends: each resolves once the message is on its way. */
export type ClientSends<TClient> = {
  readonly [K in ClientMethodKey<TClient>]: (...args: ArgumentsOf<TClient[K]>) => Promise<void>;
};

/** A client interface's methods as invocations that resolve with the client's result. */
export type ClientResults<TClient> = {
  readonly [K in ClientMethodKey<TClient>]: (...args: ArgumentsOf<TClient[K]>) => Promise<ResultOf<TClient[K]>>;
};

/** `clients.all.receiveMessage(user, text)`, checked against the client interface. */
export type TypedClientProxy<TClient> = ClientProxy & ClientSends<TClient>;

/** Adds `invoke.getAnswer(question)`, typed by the interface's return type. */
export type TypedSingleClientProxy<TClient> = SingleClientProxy &
  ClientSends<TClient> & { readonly invoke: ClientResults<TClient> };

/** The proxy type for a client interface; the untyped proxy when there is none. */
export type ClientProxyOf<TClient> = unknown extends TClient ? ClientProxy : TypedClientProxy<TClient>;
export type SingleClientProxyOf<TClient> = unknown extends TClient
  ? SingleClientProxy
  : TypedSingleClientProxy<TClient>;
