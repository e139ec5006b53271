// The page served at `/`: the seed guide's web client (username, password,
// Login) without the Chat SDK. It fetches a token from POST /token, decodes
// it in the browser, and renews it the way the seed's client does: when it
// is about to expire (at 80% of its life) and when it has expired. One inline
// script and one inline style, allowed by their hashes in the CSP; nothing
// is loaded from anywhere else.
import { createHash } from 'node:crypto';

// The script avoids backticks so that it can live in this template literal.
const SCRIPT = String.raw`
'use strict';
const RENEW_AT = 0.8; // renew when 80% of the token's life has passed, like onTokenWillExpire
const $ = (id) => document.getElementById(id);
let credentials = null;
let current = null; // { token, decoded, deadline }
let timers = [];
let renewals = 0;

function log(text) {
  const item = document.createElement('li');
  const time = document.createElement('time');
  time.textContent = new Date().toLocaleTimeString();
  item.append(time, ' ', text);
  $('log').prepend(item);
}

async function postToken(userAccount, userPassword) {
  const response = await fetch('token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userAccount, userPassword }),
    cache: 'no-store',
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = body.error ? body.error.message + ' (' + body.error.code + ')' : 'no details';
    throw new Error('HTTP ' + response.status + ': ' + detail);
  }
  return body;
}

// Reads an AccessToken2: "007" + base64(zlib(content)). Proves nothing: only
// the server, which holds the certificate, can verify a token.
async function decodeToken(token) {
  if (!token.startsWith('007')) throw new Error('not a 007 token');
  const packed = Uint8Array.from(atob(token.slice(3)), (c) => c.charCodeAt(0));
  const inflated = new Blob([packed]).stream().pipeThrough(new DecompressionStream('deflate'));
  const bytes = new Uint8Array(await new Response(inflated).arrayBuffer());
  const view = new DataView(bytes.buffer);
  let at = 0;
  const u16 = () => { const v = view.getUint16(at, true); at += 2; return v; };
  const u32 = () => { const v = view.getUint32(at, true); at += 4; return v; };
  const raw = () => { const n = u16(); const b = bytes.subarray(at, at + n); at += n; return b; };
  const text = () => new TextDecoder().decode(raw());
  raw(); // the signature
  const decoded = { appId: text(), issueTs: u32(), expire: u32(), salt: u32(), services: [] };
  for (let count = u16(); count > 0; count--) {
    const service = { type: u16(), privileges: {} };
    for (let n = u16(); n > 0; n--) { const key = u16(); service.privileges[key] = u32(); }
    decoded.services.push(service);
    if (service.type !== 5) break; // only the Chat service's fields are read here
    service.userId = text();
  }
  return decoded;
}

function clearTimers() {
  for (const timer of timers) clearTimeout(timer);
  timers = [];
}

async function show(result) {
  const decoded = await decodeToken(result.accessToken);
  const chat = decoded.services.find((s) => s.type === 5);
  // The token lives decoded.expire seconds; count them from when it arrived,
  // so that a browser clock set differently from the server's does not matter.
  const deadline = Date.now() + decoded.expire * 1000;
  current = { token: result.accessToken, decoded, deadline };
  $('token').textContent = result.accessToken;
  $('chat-user').textContent = result.chatUserName;
  $('token-user').textContent = chat ? chat.userId : '(no chat service)';
  $('app-id').textContent = decoded.appId;
  $('issued').textContent = new Date(decoded.issueTs * 1000).toLocaleString() + ' (issueTs ' + decoded.issueTs + ')';
  $('expires').textContent = new Date(result.expireTimestamp * 1000).toLocaleString() + ' (expire ' + decoded.expire + ' s)';
  $('renewals').textContent = String(renewals);
  $('result').hidden = false;
  tick();
  clearTimers();
  const life = decoded.expire * 1000;
  timers.push(setTimeout(() => { log('Token is about to expire'); renew(); }, life * RENEW_AT));
  timers.push(setTimeout(() => { log('The token has expired'); renew(); }, life));
}

function tick() {
  if (!current) return;
  const left = Math.max(0, Math.ceil((current.deadline - Date.now()) / 1000));
  $('countdown').textContent = left > 0 ? left + ' s' : 'expired';
  $('countdown').classList.toggle('late', left <= current.decoded.expire * (1 - RENEW_AT));
}

async function renew() {
  if (!credentials) return;
  try {
    const result = await postToken(credentials.userAccount, credentials.userPassword);
    renewals += 1;
    await show(result);
    log('Token renewed (#' + renewals + '), valid ' + current.decoded.expire + ' s');
  } catch (error) {
    log('Renewal failed: ' + error.message);
  }
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const userAccount = $('userID').value;
  const userPassword = $('password').value;
  $('login').disabled = true;
  try {
    const result = await postToken(userAccount, userPassword);
    credentials = { userAccount, userPassword };
    renewals = 0;
    await show(result);
    log('Logged in as ' + result.chatUserName);
  } catch (error) {
    log('Login failed: ' + error.message);
  } finally {
    $('login').disabled = false;
  }
});

setInterval(tick, 250);
`;

const STYLE = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.4; }
body { max-width: 44rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
.sub { margin-top: 0; color: GrayText; }
.hint { padding: .5rem .75rem; border-left: 4px solid #d9a400; background: #d9a40022; }
form { display: grid; grid-template-columns: 7rem 1fr; gap: .5rem .75rem; align-items: center; margin: 1.25rem 0; }
input { font: inherit; padding: .35rem .5rem; }
button { grid-column: 2; justify-self: start; font: inherit; padding: .35rem 1.25rem; cursor: pointer; }
dl { display: grid; grid-template-columns: 7rem 1fr; gap: .3rem .75rem; margin: 0; }
dt { font-weight: 600; }
dd { margin: 0; }
code, #token { font-family: ui-monospace, monospace; font-size: .85rem; }
#token { word-break: break-all; background: #8881; padding: .5rem; border-radius: 4px; margin: .75rem 0 0; }
#countdown { font-weight: 600; }
#countdown.late { color: #c0392b; }
section { border: 1px solid #8884; border-radius: 6px; padding: 1rem; margin-bottom: 1rem; }
h2 { font-size: 1.05rem; margin: 0 0 .75rem; }
#log { list-style: none; padding: 0; margin: 0; font-size: .9rem; max-height: 16rem; overflow-y: auto; }
#log:empty::before { content: 'Nothing yet: log in above.'; color: GrayText; }
#log time { color: GrayText; font-variant-numeric: tabular-nums; margin-right: .5rem; }
`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The Content-Security-Policy of the page: its own inline script and style, fetches to itself, nothing else. */
export const PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The HTML of the page. In demo mode it says which user to log in as. */
export function renderPage(options: { demoHint?: string } = {}): string {
  const hint = options.demoHint ? `<p class="hint">${escapeHtml(options.demoHint)}</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Agora Chat token demo</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<h1>Token demo</h1>
<p class="sub">Log in to get an Agora Chat user token from <code>POST /token</code>; it is renewed at 80% of its life.</p>
${hint}
<form id="login-form" autocomplete="on">
  <label for="userID">Username</label>
  <input type="text" id="userID" name="username" placeholder="Username" autocomplete="username" required>
  <label for="password">Password</label>
  <input type="password" id="password" name="password" placeholder="Password" autocomplete="current-password" required>
  <button type="submit" id="login">Login</button>
</form>
<section id="result" hidden>
  <h2>Current token</h2>
  <dl>
    <dt>Chat user</dt><dd id="chat-user"></dd>
    <dt>Token user</dt><dd id="token-user"></dd>
    <dt>App ID</dt><dd><code id="app-id"></code></dd>
    <dt>Issued</dt><dd id="issued"></dd>
    <dt>Expires</dt><dd id="expires"></dd>
    <dt>Expires in</dt><dd id="countdown"></dd>
    <dt>Renewals</dt><dd id="renewals">0</dd>
  </dl>
  <p id="token"></p>
</section>
<section>
  <h2>Log</h2>
  <ol id="log"></ol>
</section>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
