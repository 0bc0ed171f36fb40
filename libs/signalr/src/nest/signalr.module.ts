import { ConfigurableModuleBuilder, type DynamicModule, Module, type Provider } from '@nestjs/common';
import type { SignalRModuleOptions } from '../interfaces/signalr-module-options.interface.js';
import { SIGNALR_MODULE_OPTIONS } from '../signalr.constants.js';
import { AdapterCheck } from './adapter-check.js';
import { HubRegistry } from './hub-registry.js';
import { getHubContextToken, getKnownHubs } from './known-hubs.js';

const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } = new ConfigurableModuleBuilder<SignalRModuleOptions>()
  .setClassMethodName('forRoot')
  .build();

/**
 * Configures SignalR for the app and makes every hub's `HubContext`
 * injectable everywhere (the module is global).
 *
 * @example
 * ＠Module({ imports: [SignalRModule.forRoot({ keepAliveInterval: 10_000 })], providers: [ChatHub] })
 *
 * @publicApi
 */
@Module({})
export class SignalRModule extends ConfigurableModuleClass {
  static override forRoot(options: SignalRModuleOptions = {}): DynamicModule {
    return withHubProviders(super.forRoot(options));
  }

  static override forRootAsync(options: Parameters<typeof ConfigurableModuleClass.forRootAsync>[0]): DynamicModule {
    return withHubProviders(super.forRootAsync(options));
  }
}

function withHubProviders(module: DynamicModule): DynamicModule {
  const hubContexts: Provider[] = getKnownHubs().map((hub) => ({
    provide: getHubContextToken(hub),
    useFactory: (registry: HubRegistry) => registry.getHubContext(hub),
    inject: [HubRegistry],
  }));
  const providers: Provider[] = [
    ...(module.providers ?? []),
    { provide: SIGNALR_MODULE_OPTIONS, useExisting: MODULE_OPTIONS_TOKEN },
    HubRegistry,
    AdapterCheck,
    ...hubContexts,
  ];
  return {
    ...module,
    global: true,
    providers,
    exports: [HubRegistry, SIGNALR_MODULE_OPTIONS, ...hubContexts.map((p) => (p as { provide: symbol }).provide)],
  };
}
