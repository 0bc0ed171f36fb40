import { Module } from '@nestjs/common';
import { Hub, HubCaller, HubCallerContext, HubMethod, SignalRModule } from 'nest-signalr';
import { connectHub } from './support/hub-client.js';
import { type RunningApp, startApp } from './support/test-app.js';

@Hub('/questions')
class QuestionsHub {
  @HubMethod() async ask(question: string, @HubCaller() ctx: HubCallerContext) {
    const answer = await ctx.clients.caller.invoke<string>('Answer', question);
    return `the client said: ${answer}`;
  }
  @HubMethod() lookUp(word: string) {
    return word.toUpperCase();
  }
}

@Module({ imports: [SignalRModule.forRoot()], providers: [QuestionsHub] })
class QuestionsModule {}

describe('client results with one invocation at a time', () => {
  let server: RunningApp;

  beforeAll(async () => {
    server = await startApp(QuestionsModule);
  });
  afterAll(() => server.close());

  it("let the client call the hub from its handler while the hub awaits that handler's result", async () => {
    const connection = await connectHub(`${server.url}/questions`);
    // The handler invokes the hub before answering: the awaiting method must
    // have given its slot back (maximumParallelInvocationsPerClient is 1).
    connection.on('Answer', async (question: string) => `${await connection.invoke('LookUp', question)}!`);
    expect(await connection.invoke('Ask', 'why')).toBe('the client said: WHY!');
    // The slot accounting is back to normal: invocations still run one at a time and complete.
    expect(await Promise.all([connection.invoke('LookUp', 'a'), connection.invoke('LookUp', 'b')])).toEqual(['A', 'B']);
    await connection.stop();
  });
});
