import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { Hub, HubContext, HubMethod, InjectHubContext, SignalRAdapter, SignalRModule } from 'nest-signalr';

// The two set-up mistakes a new user makes stop the app with an error that
// names the missing line, not with Nest's advice to install Socket.IO or an
// unresolved symbol.

@Hub('/startup')
class StartupHub {
  @HubMethod() ping() {
    return 'pong';
  }
}

@Injectable()
class Announcer {
  constructor(@InjectHubContext(StartupHub) readonly hub: HubContext) {}
}

@Module({ imports: [SignalRModule.forRoot()], providers: [StartupHub] })
class HubModule {}

@Module({ providers: [StartupHub, Announcer] })
class ModuleWithoutSignalR {}

@Module({ providers: [StartupHub] })
class HubsOnlyModule {}

const quiet = { logger: false, abortOnError: false } as const;

describe('start-up errors', () => {
  it('names the adapter line when hubs are registered but no adapter is set', async () => {
    const app = await NestFactory.create(HubModule, quiet);
    await expect(app.init()).rejects.toThrow(
      'Hub StartupHub needs the SignalR adapter: call app.useWebSocketAdapter(new SignalRAdapter(app))',
    );
    await app.close();
  });

  it('names the adapter line when another WebSocket adapter is set', async () => {
    const app = await NestFactory.create(HubModule, quiet);
    app.useWebSocketAdapter(new WsAdapter(app));
    await expect(app.init()).rejects.toThrow('call app.useWebSocketAdapter(new SignalRAdapter(app))');
    await app.close();
  });

  it('starts when the SignalR adapter is set', async () => {
    const app = await NestFactory.create(HubModule, quiet);
    app.useWebSocketAdapter(new SignalRAdapter(app));
    await expect(app.init()).resolves.toBe(app);
    await app.close();
  });

  it('says to import SignalRModule.forRoot() when a hub context is injected without it', async () => {
    await expect(NestFactory.create(ModuleWithoutSignalR, quiet)).rejects.toThrow(
      /HubContext<StartupHub>: import SignalRModule\.forRoot\(\) to provide it/,
    );
  });

  it('says to import SignalRModule.forRoot() when the adapter serves hubs without it', async () => {
    const app = await NestFactory.create(HubsOnlyModule, quiet);
    app.useWebSocketAdapter(new SignalRAdapter(app));
    await expect(app.init()).rejects.toThrow('add SignalRModule.forRoot() to the application module');
    await app.close();
  });
});
