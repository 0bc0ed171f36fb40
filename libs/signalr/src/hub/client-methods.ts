/**
 * Typed client methods (`clients.all.receiveMessage(user, text)`) exist only
 * in the hub's client interface, which is erased at run time. So the first
 * read of such a name falls through a proxy placed under the proxies'
 * prototype, which defines one function for that name on the prototype
 * itself: later calls find it there, like any method, and allocate nothing.
 */

/** Wire names of a hub's client methods that differ from the default (the name with its first letter upper-cased). */
export type ClientMethodNames<TClient> = { readonly [K in ClientMethodKey<TClient>]?: string };

/** The names of `TClient`'s methods. */
export type ClientMethodKey<TClient> = {
  [K in keyof TClient]-?: TClient[K] extends (...args: never[]) => unknown ? K : never;
}[keyof TClient] &
  string;

/** Resolved wire names: no prototype, so that only names the hub set are found. */
export type ClientMethodWireNames = Readonly<Record<string, string>>;

export function toClientMethodWireNames(names: Readonly<Record<string, string | undefined>>): ClientMethodWireNames {
  const wireNames: Record<string, string> = Object.create(null);
  for (const [name, wireName] of Object.entries(names)) {
    if (wireName === undefined) continue;
    if (typeof wireName !== 'string' || wireName === '') {
      throw new Error(`clientMethodNames.${name} must be a non-empty string.`);
    }
    wireNames[name] = wireName;
  }
  return Object.freeze(wireNames);
}

/** `receiveMessage` goes on the wire as `ReceiveMessage`, the name .NET and JavaScript clients use by convention. */
export function defaultClientMethodWireName(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

// Promise resolution, JSON.stringify and test matchers probe these names on
// any object: they must stay undefined rather than become client methods.
const PROBED_NAMES = new Set(['then', 'toJSON', 'asymmetricMatch', 'nodeType', 'inspect']);
const METHOD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Makes every method-like name missing from `prototype` and its ancestors
 * resolve to `create(name)`, defined on `prototype` at its first read.
 */
export function defineClientMethodsOnFirstUse(
  prototype: object,
  create: (name: string, wireName: string) => (...args: never[]) => unknown,
): void {
  const ancestors: object = Object.getPrototypeOf(prototype);
  const resolver = new Proxy(ancestors, {
    get(target, property, receiver) {
      if (
        typeof property !== 'string' ||
        property in target ||
        PROBED_NAMES.has(property) ||
        !METHOD_NAME.test(property)
      ) {
        return Reflect.get(target, property, receiver);
      }
      const method = create(property, defaultClientMethodWireName(property));
      Object.defineProperty(prototype, property, { value: method, writable: true, configurable: true });
      return method;
    },
  });
  Object.setPrototypeOf(prototype, resolver);
}
