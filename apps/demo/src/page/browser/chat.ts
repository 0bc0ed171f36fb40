/// <reference lib="dom" />
// The chat page's script, a browser module. It talks to ChatHub through the
// generated client (chat-hub.client.ts), over the official browser bundle the
// page loads first: a renamed hub method or a changed parameter breaks
// `npm run build` instead of the page.
import type * as SignalR from '@microsoft/signalr';
import { chatHub, type ChatHubClient, chatHubPath } from './chat-hub.client.js';

declare const signalR: typeof SignalR & {
  protocols: { msgpack: { MessagePackHubProtocol: new () => SignalR.IHubProtocol } };
};

const $ = <T extends HTMLElement = HTMLInputElement>(id: string) => document.getElementById(id) as T;
let chat: ChatHubClient | undefined;
let joined: string | undefined;

function show(user: string, message: string): void {
  const item = document.createElement('li');
  const who = document.createElement('b');
  who.textContent = user + ': ';
  item.append(who, document.createTextNode(message));
  $('messages').append(item);
  item.scrollIntoView({ block: 'nearest' });
}

function status(text: string, connected: boolean): void {
  $('status').textContent = text;
  $('status').className = connected ? 'connected' : '';
}

function setJoined(group: string | undefined): void {
  joined = group;
  document.body.dataset.joined = group ?? '';
}

async function token(): Promise<string | undefined> {
  const user = $('signin').value.trim();
  if (!user) return undefined;
  const response = await fetch('/api/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user }),
  });
  return ((await response.json()) as { token: string }).token;
}

async function connect(): Promise<void> {
  if (chat) await chat.connection.stop();
  const accessToken = await token();
  const builder = new signalR.HubConnectionBuilder()
    .withUrl(chatHubPath, {
      transport: Number($<HTMLSelectElement>('transport').value) || undefined,
      accessTokenFactory: accessToken ? () => accessToken : undefined,
    })
    .withAutomaticReconnect();
  if ($<HTMLSelectElement>('protocol').value === 'messagepack') {
    builder.withHubProtocol(new signalR.protocols.msgpack.MessagePackHubProtocol());
  }
  const hub = (chat = chatHub(builder.build()));
  hub.on.receiveMessage(show);
  hub.connection.onreconnecting(() => status('reconnecting…', false));
  hub.connection.onreconnected(async () => {
    status('connected (' + hub.connection.connectionId + ')', true);
    // A reconnect is a new connection: rejoin the group.
    if (joined) await hub.invoke.addToGroup(joined);
  });
  hub.connection.onclose((error) => status('disconnected' + (error ? ': ' + error.message : ''), false));
  try {
    await hub.connection.start();
    status('connected (' + hub.connection.connectionId + ')', true);
    document.body.dataset.connected = 'true';
  } catch (error) {
    status('failed: ' + (error as Error).message, false);
  }
}

function run(action: (hub: ChatHubClient) => Promise<unknown>): void {
  if (!chat) return;
  action(chat).catch((error: Error) => show('error', error.message));
}

$('send').onclick = () => run((hub) => hub.invoke.sendMessage($('user').value, $('message').value));
$('join').onclick = () =>
  run(async (hub) => {
    await hub.invoke.addToGroup($('group').value);
    setJoined($('group').value);
  });
$('leave').onclick = () =>
  run(async (hub) => {
    await hub.invoke.removeFromGroup($('group').value);
    setJoined(undefined);
  });
$('sendGroup').onclick = () =>
  run((hub) => hub.invoke.sendToGroup($('group').value, $('user').value, $('message').value));
$('sendUser').onclick = () => run((hub) => hub.invoke.sendToUser($('toUser').value, $('message').value));
$('reconnect').onclick = () => void connect().catch((error: Error) => show('error', error.message));
void connect();
