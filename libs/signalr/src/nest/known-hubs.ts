import type { Type } from '@nestjs/common';

/**
 * Hub classes seen by `@Hub` and `@InjectHubContext`. Decorators run when a
 * class is defined, before `SignalRModule.forRoot()` builds its providers, so
 * the module can offer a HubContext for every hub the app defines.
 */
const knownHubs = new Set<Type>();
const contextTokens = new WeakMap<Type, symbol>();

export function registerHub(hub: Type): void {
  knownHubs.add(hub);
}

export function getKnownHubs(): Type[] {
  return [...knownHubs];
}

/**
 * The injection token of a hub's HubContext. Its description is what Nest
 * prints when nothing provides it, so it says what does.
 */
export function getHubContextToken(hub: Type): symbol {
  let token = contextTokens.get(hub);
  if (!token) {
    contextTokens.set(hub, (token = Symbol(`HubContext<${hub.name}>: import SignalRModule.forRoot() to provide it`)));
  }
  return token;
}
