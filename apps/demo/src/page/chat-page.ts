/**
 * The demo's chat page. Its script (browser/chat.ts, served compiled from
 * /app) connects to /chatHub on load through the generated client over the
 * official browser bundle, and lets the user sign in (for direct messages),
 * join groups, and pick the transport and protocol.
 */
export const CHAT_PAGE = /* html */ `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nest-signalr chat</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }
  main { max-width: 760px; margin: 0 auto; padding: 16px; }
  h1 { font-size: 20px; margin: 8px 0 12px; }
  fieldset { border: 1px solid #d5d9e0; border-radius: 8px; margin: 0 0 12px; background: #fff; }
  legend { font-weight: 600; padding: 0 4px; }
  label { margin-right: 8px; }
  input, select, button { font: inherit; padding: 4px 8px; margin: 2px 4px 2px 0; }
  #messages { list-style: none; padding: 8px; margin: 0; height: 320px; overflow-y: auto; background: #fff;
              border: 1px solid #d5d9e0; border-radius: 8px; }
  #messages li { padding: 2px 0; }
  #messages b { color: #3451b2; }
  #status { font-size: 13px; color: #5b6475; }
  #status.connected { color: #137333; }
</style>
</head>
<body>
<main>
  <h1>nest-signalr chat</h1>
  <p id="status">connecting…</p>
  <fieldset>
    <legend>Connection</legend>
    <label>Transport <select id="transport">
      <option value="0">automatic</option><option value="1">WebSockets</option>
      <option value="2">Server-Sent Events</option><option value="4">Long Polling</option>
    </select></label>
    <label>Protocol <select id="protocol"><option>json</option><option>messagepack</option></select></label>
    <label>Sign in as <input id="signin" placeholder="user name" size="10"></label>
    <button id="reconnect">Reconnect</button>
  </fieldset>
  <fieldset>
    <legend>Message</legend>
    <input id="user" placeholder="your name" size="10" value="guest">
    <input id="message" placeholder="message" size="30">
    <button id="send">Send to all</button>
    <br>
    <input id="group" placeholder="group" size="10" value="room1">
    <button id="join">Join</button> <button id="leave">Leave</button>
    <button id="sendGroup">Send to group</button>
    <br>
    <input id="toUser" placeholder="user id" size="10">
    <button id="sendUser">Send direct</button>
  </fieldset>
  <ul id="messages"></ul>
</main>
<script src="/lib/signalr.min.js"></script>
<script src="/lib/signalr-protocol-msgpack.min.js"></script>
<script type="module" src="/app/chat.js"></script>
</body>
</html>
`;
