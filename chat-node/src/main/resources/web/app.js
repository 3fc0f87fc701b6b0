// Entry point: signs in (a user name in dev mode, a JWT otherwise), gives this tab its own device id,
// and starts the chat. Everything is served by the node; nothing is loaded from anywhere else.

import { Chat, USER_ID } from './chat.js';
import { View, describeError } from './view.js';

const SESSION_KEY = 'chat.session'; // sessionStorage: this tab's sign-in
const REMEMBER_KEY = 'chat.remembered'; // localStorage: offered to new tabs as "Continue as …"
const DEVICE_KEY = 'chat.device'; // sessionStorage: one device per tab
const $ = (id) => document.getElementById(id);

let config = { devMode: false, webSocketPath: '/v1/ws' };
let current = null; // { chat, view }

main();

async function main() {
  try {
    const response = await fetch('/web/config.json', { cache: 'no-store' });
    if (response.ok) config = { ...config, ...(await response.json()) };
  } catch {
    // the node is not reachable right now: the sign-in form still works once it is
  }
  bindSignIn();
  const fromFragment = tokenFromFragment();
  if (fromFragment) {
    await start(sessionFromToken(fromFragment));
    return;
  }
  const saved = readJson(sessionStorage, SESSION_KEY);
  if (saved && saved.user && (saved.token || config.devMode)) {
    await start(saved);
  } else {
    showSignIn();
  }
}

// ------------------------------------------------------------------ sign-in

function bindSignIn() {
  $('dev-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const user = $('dev-user').value.trim();
    if (!USER_ID.test(user)) {
      signInError('A user name is 1 to 64 letters, digits or . _ @ -');
      return;
    }
    await signInAs(user);
  });
  $('token-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const session = sessionFromToken($('token-input').value.trim());
    if (!session.user) {
      signInError('That does not look like a JWT (three base64url parts with a "sub").');
      return;
    }
    await start(session);
  });
  $('continue').addEventListener('click', async () => {
    const remembered = readJson(localStorage, REMEMBER_KEY);
    if (!remembered) return;
    if (config.devMode) await signInAs(remembered.user);
    else await start({ user: remembered.user, token: remembered.token });
  });
}

async function signInAs(user) {
  signInError('');
  try {
    const issued = await devToken(user);
    await start({ user: issued.userId, token: issued.token, dev: true });
  } catch (e) {
    signInError(`Could not sign in: ${e.message}`);
  }
}

function showSignIn(message = '') {
  $('app').hidden = true;
  $('signin').hidden = false;
  $('signin-intro').textContent = config.devMode
    ? 'Dev mode: pick any user name. Open a second browser (or a private window) to chat as someone else.'
    : 'Sign in with a token (JWT) from your identity provider.';
  $('dev-form').hidden = !config.devMode;
  $('token-details').open = !config.devMode;
  const remembered = readJson(localStorage, REMEMBER_KEY);
  const canContinue = remembered && remembered.user && (config.devMode || !expired(remembered.token));
  $('continue').hidden = !canContinue;
  if (canContinue) {
    $('continue').textContent = `Continue as ${remembered.user}`;
    $('dev-user').value = remembered.user;
  }
  signInError(message);
  (canContinue ? $('continue') : config.devMode ? $('dev-user') : $('token-input')).focus();
}

function signInError(text) {
  $('signin-error').textContent = text;
}

async function devToken(user) {
  const response = await fetch('/dev/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
  return body;
}

/** An identity provider may hand the token over in the fragment (#token=…), which never reaches a server. */
function tokenFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (token) history.replaceState(null, '', location.pathname + location.search);
  return token;
}

function sessionFromToken(token) {
  const claims = decodeJwt(token);
  return { user: claims && typeof claims.sub === 'string' ? claims.sub : null, token };
}

// ------------------------------------------------------------------ the signed-in app

async function start(session) {
  $('signin').hidden = true;
  const device = await deviceId();
  let authRetried = false;
  const save = () => {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    localStorage.setItem(REMEMBER_KEY, JSON.stringify({ user: session.user, token: session.dev ? undefined : session.token }));
  };
  save();
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${config.webSocketPath}`;
  const chat = new Chat({
    url,
    user: session.user,
    credentials: async () => {
      if (session.stale || !session.token || expired(session.token)) {
        if (!config.devMode) throw new Error('Your sign-in has expired. Sign in again.');
        try {
          session.token = (await devToken(session.user)).token;
          session.stale = false;
          save();
        } catch (e) {
          e.transient = true; // the node may be restarting; try again with the next reconnect
          throw e;
        }
      }
      return { token: session.token, device };
    },
    onTokenExpired: () => { session.stale = true; },
    onAuthFailed: (error) => {
      if (config.devMode && !authRetried) {
        // e.g. the node restarted with another secret: a fresh dev token fixes that
        authRetried = true;
        session.stale = true;
        chat.start();
        return;
      }
      signOut(describeError(error));
    },
  });
  chat.addEventListener('change', (e) => {
    if (e.detail.status && chat.synced) authRetried = false;
  });
  const view = new View(chat, { onSignOut: () => signOut('') });
  current = { chat, view };
  addEventListener('online', retryNow);
  chat.start();
}

function retryNow() {
  current?.chat.retryNow();
}

function signOut(message) {
  if (current) {
    current.chat.stop();
    current.view.destroy();
    current = null;
  }
  removeEventListener('online', retryNow);
  sessionStorage.removeItem(SESSION_KEY);
  if (!message) localStorage.removeItem(REMEMBER_KEY);
  showSignIn(message);
}

/**
 * This tab's device id. sessionStorage is per tab, but a duplicated tab starts with a copy of it: ask
 * the other tabs whether one of them already is this device, and if so become a new one.
 */
async function deviceId() {
  let id = sessionStorage.getItem(DEVICE_KEY);
  const channel = 'BroadcastChannel' in window ? new BroadcastChannel('chat.devices') : null;
  if (id && channel) {
    const taken = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 150);
      channel.onmessage = (e) => {
        if (e.data && e.data.type === 'mine' && e.data.device === id) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      channel.postMessage({ type: 'who', device: id });
    });
    if (taken) id = null;
  }
  if (!id) {
    id = `web-${crypto.randomUUID()}`;
    sessionStorage.setItem(DEVICE_KEY, id);
  }
  if (channel) {
    channel.onmessage = (e) => {
      if (e.data && e.data.type === 'who' && e.data.device === id) channel.postMessage({ type: 'mine', device: id });
    };
  }
  return id;
}

// ------------------------------------------------------------------ small things

function decodeJwt(token) {
  try {
    const part = String(token).split('.')[1];
    const binary = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
  } catch {
    return null;
  }
}

/** Expired (or about to: within 30 s) by its own exp claim; the server decides for real. */
function expired(token) {
  const claims = decodeJwt(token);
  return !claims || (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now() + 30_000);
}

function readJson(storage, key) {
  try {
    return JSON.parse(storage.getItem(key) || 'null');
  } catch {
    return null;
  }
}
