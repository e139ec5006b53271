// The page served at `/`: the token server's sign-in page. It signs in with
// POST /token through the `agora-token-builder/client` module, keeps the
// chat token fresh through the session (POST /token/renew, no password), and
// decodes each token with the `agora-token-builder/web` entry. Both modules
// are served by the token service itself under assets/, relative to the
// page, so the page works wherever the service is mounted; the one inline
// script and the one inline style are allowed by their hashes in the CSP.
import type { ServicePlatform } from './platform.js';

// The script avoids backticks so that it can live in this template literal.
const SCRIPT = String.raw`
import { TokenClient } from './assets/agora-token-builder-client.js';

const $ = (id) => document.getElementById(id);
const RENEW_AT = 0.8;
let renewals = 0;
let current = null;
// The web entry decodes tokens in the browser (it proves nothing: only the
// server, which holds the certificate, can verify one). Loaded on demand.
let web = null;
const loadWeb = () => (web ??= import('./assets/agora-token-builder-web.js'));

function log(text) {
  const item = document.createElement('li');
  const time = document.createElement('time');
  time.textContent = new Date().toLocaleTimeString();
  item.append(time, ' ', text);
  $('log').prepend(item);
}

function showLoggedOut(message) {
  current = null;
  $('signed-in').hidden = true;
  $('login-form').hidden = false;
  $('logout-error').hidden = true;
  $('login-error').textContent = message || '';
  $('login-error').hidden = !message;
}

async function showToken(token, reason) {
  const lapsed = current !== null && current.expiresAt <= Date.now();
  current = token;
  if (reason === 'renew') renewals += 1;
  else renewals = 0;
  $('login-form').hidden = true;
  $('login-error').hidden = true;
  $('signed-in').hidden = false;
  $('chat-user-name').textContent = token.chatUserName;
  $('chat-user-uuid').textContent = token.chatUserUuid;
  $('expires').textContent = new Date(token.expireTimestamp * 1000).toLocaleString();
  $('renewals').textContent = String(renewals);
  $('token').textContent = token.accessToken;
  tick();
  if (reason === 'login') log('Signed in as ' + token.chatUserName);
  else if (reason === 'resume') log('Session resumed for ' + token.chatUserName);
  else log('Token renewed (#' + renewals + ')' + (lapsed ? ' after the previous one expired' : ''));
  $('logout-error').hidden = true;
  try {
    const { decodeToken } = await loadWeb();
    const decoded = await decodeToken(token.accessToken);
    if (current !== token) return;
    const chat = decoded.services.find((s) => s.type === 5);
    $('token-user').textContent = chat ? chat.userId : '(no chat service)';
    $('app-id').textContent = decoded.appId;
    $('issued').textContent = new Date(decoded.issueTs * 1000).toLocaleString() + ' (valid ' + decoded.expire + ' s)';
  } catch (error) {
    $('token-user').textContent = $('app-id').textContent = $('issued').textContent = 'could not decode: ' + error.message;
  }
}

function duration(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return h + ' h ' + m + ' min';
  if (m > 0) return m + ' min ' + s + ' s';
  return s + ' s';
}

function tick() {
  if (!current) return;
  const total = current.expiresAt - current.issuedAt;
  const left = Math.max(0, Math.ceil((current.expiresAt - Date.now()) / 1000));
  $('countdown-label').textContent = left > 0 ? 'Token expires in' : 'Token';
  $('countdown').textContent = left > 0 ? duration(left) : 'expired, renewing…';
  $('countdown').classList.toggle('late', current.expiresAt - Date.now() <= total * (1 - RENEW_AT));
}

const client = new TokenClient({
  renewAt: RENEW_AT,
  onToken: (token, reason) => void showToken(token, reason),
  onRenewError: (error, willRetry) => {
    const wait = error.retryAfter ? ', retrying in ' + error.retryAfter + ' s' : willRetry ? ', retrying' : ', trying again when the token expires';
    log('Renewal failed: ' + error.message + ' (' + error.code + ')' + wait);
  },
  onSessionEnd: (error) => {
    log(error ? 'Session ended: ' + error.message : 'Signed out');
    showLoggedOut(error ? 'Your session has ended. Sign in again.' : '');
  },
});

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const userAccount = $('userID').value;
  const password = $('password');
  const userPassword = password.value;
  password.value = ''; // the page keeps the password no longer than this request
  $('login').disabled = true;
  $('login-error').hidden = true;
  try {
    await client.login(userAccount, userPassword);
  } catch (error) {
    const message = error.code === 'invalid_credentials' ? 'Wrong username or password.' : 'Sign-in failed: ' + error.message;
    showLoggedOut(message);
    log('Sign-in failed: ' + error.message + ' (' + (error.code || 'error') + ')');
    password.focus();
  } finally {
    $('login').disabled = false;
  }
});

$('logout').addEventListener('click', async () => {
  $('logout').disabled = true;
  $('logout-error').hidden = true;
  try {
    await client.logout();
  } catch (error) {
    // The session cookie is still there: say so, rather than "Signed out".
    const why = error.status ? 'the server answered ' + error.status : 'the server could not be reached';
    $('logout-error').textContent = 'Sign-out failed: ' + why + '. You are still signed in; try again.';
    $('logout-error').hidden = false;
    log('Sign-out failed: ' + error.message + ' (' + (error.code || 'error') + ')');
  } finally {
    $('logout').disabled = false;
  }
});

setInterval(tick, 250);
client.resume().then((token) => {
  if (!token) showLoggedOut('');
}, (error) => {
  showLoggedOut('');
  log('Could not resume the session: ' + error.message);
});
`;

const STYLE = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.45; }
body { max-width: 40rem; margin: 2.5rem auto; padding: 0 1rem; }
[hidden] { display: none !important; }
header { display: flex; align-items: center; gap: .75rem; }
h1 { font-size: 1.5rem; margin: 0; }
.badge { font-size: .75rem; font-weight: 700; letter-spacing: .05em; text-transform: uppercase; padding: .15rem .5rem; border-radius: 999px; background: #d9a400; color: #000; }
.sub { margin: .25rem 0 1.5rem; color: GrayText; }
.hint { padding: .5rem .75rem; border-left: 4px solid #d9a400; background: #d9a40022; }
section, form { border: 1px solid #8884; border-radius: 8px; padding: 1.25rem; margin-bottom: 1rem; }
form { display: grid; grid-template-columns: 7rem 1fr; gap: .6rem .75rem; align-items: center; }
input { font: inherit; padding: .4rem .55rem; }
button { font: inherit; padding: .4rem 1.25rem; cursor: pointer; }
form button { grid-column: 2; justify-self: start; }
#logout-error { margin: 0 0 1rem; padding: .5rem .75rem; border-radius: 4px; color: #b3261e; background: #b3261e1a; border: 1px solid #b3261e55; }
#login-error { grid-column: 1 / -1; margin: 0; padding: .5rem .75rem; border-radius: 4px; color: #b3261e; background: #b3261e1a; border: 1px solid #b3261e55; }
h2 { font-size: 1.05rem; margin: 0 0 .75rem; }
dl { display: grid; grid-template-columns: 10rem 1fr; gap: .35rem .75rem; margin: 0 0 1rem; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
code, #token, #chat-user-uuid, #token-user { font-family: ui-monospace, monospace; font-size: .9rem; }
details { margin: 0 0 1rem; }
#token { word-break: break-all; background: #8881; padding: .5rem; border-radius: 4px; margin: .5rem 0 0; font-size: .8rem; }
#countdown { font-weight: 700; font-variant-numeric: tabular-nums; }
#countdown.late { color: #c0392b; }
#log li { display: grid; grid-template-columns: auto 1fr; }
#log { list-style: none; padding: 0; margin: 0; font-size: .9rem; max-height: 14rem; overflow-y: auto; }
#log:empty::before { content: 'Nothing yet.'; color: GrayText; }
#log time { color: GrayText; font-variant-numeric: tabular-nums; margin-right: .5rem; }
`;

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

async function sha256Source(platform: ServicePlatform, text: string): Promise<string> {
  return `'sha256-${base64(await platform.sha256(new TextEncoder().encode(text)))}'`;
}

/**
 * The Content-Security-Policy of the page: its own inline script and style,
 * its two modules from the server itself (`'self'`), fetches to itself,
 * nothing else. Computed once per handler, at the first page request.
 */
export async function pageCsp(platform: ServicePlatform): Promise<string> {
  return [
    "default-src 'none'",
    `script-src 'self' ${await sha256Source(platform, SCRIPT)}`,
    `style-src ${await sha256Source(platform, STYLE)}`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The HTML of the page. In demo mode it wears a badge and says which user to sign in as. */
export function renderPage(options: { demo?: boolean; demoHint?: string } = {}): string {
  const hint = options.demoHint ? `<p class="hint">${escapeHtml(options.demoHint)}</p>` : '';
  const badge = options.demo ? ' <span class="badge" id="demo-badge">Demo</span>' : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Agora Chat sign-in</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header><h1>Agora Chat sign-in</h1>${badge}</header>
<p class="sub">Sign in to get your Agora Chat user token. It is renewed automatically while you stay signed in.</p>
${hint}
<form id="login-form" autocomplete="on">
  <label for="userID">Username</label>
  <input type="text" id="userID" name="username" autocomplete="username" required>
  <label for="password">Password</label>
  <input type="password" id="password" name="password" autocomplete="current-password" required>
  <p id="login-error" role="alert" hidden></p>
  <button type="submit" id="login">Sign in</button>
</form>
<section id="signed-in" hidden>
  <h2>Signed in</h2>
  <dl>
    <dt>Chat username</dt><dd id="chat-user-name"></dd>
    <dt>Chat user UUID</dt><dd id="chat-user-uuid"></dd>
    <dt id="countdown-label">Token expires in</dt><dd id="countdown"></dd>
    <dt>Expires at</dt><dd id="expires"></dd>
    <dt>Renewals</dt><dd id="renewals">0</dd>
  </dl>
  <details>
    <summary>Token details</summary>
    <dl>
      <dt>Built for UUID</dt><dd id="token-user"></dd>
      <dt>App ID</dt><dd><code id="app-id"></code></dd>
      <dt>Issued</dt><dd id="issued"></dd>
    </dl>
    <p id="token"></p>
  </details>
  <p id="logout-error" role="alert" hidden></p>
  <button type="button" id="logout">Sign out</button>
</section>
<section>
  <h2>Activity</h2>
  <ol id="log"></ol>
</section>
<script type="module">${SCRIPT}</script>
</body>
</html>
`;
}
