// One WebSocket to the node, kept alive: hello with the tab's device id, requests matched to their
// answers by id, a ping every 15 s (the server closes connections it hears nothing from for 30 s), and
// reconnection with backoff whenever the socket goes away. What to do after a (re)connection is the
// caller's business (see chat.js); this module only knows the protocol's envelope.

const PING_EVERY_MS = 15_000;
/** A ping unanswered this long means a half-open connection: give up on it and reconnect. */
const PING_TIMEOUT_MS = 10_000;
/** Answers normally take milliseconds; the server itself gives up on entities after 5 s. */
const REQUEST_TIMEOUT_MS = 20_000;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 5_000;

/** A request that failed: an error frame from the server, or a connection that went away. */
export class RequestError extends Error {
  constructor(code, message, retryable, retryAfterMs) {
    super(message || code);
    this.code = code;
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs || 0;
  }
}

export class Connection {
  /**
   * @param {object} o
   * @param {string} o.url ws(s) URL of the node
   * @param {() => Promise<{token: string, device: string}>} o.credentials asked before every hello
   * @param {(welcome: object, resumed: boolean) => void} o.onWelcome authenticated (again)
   * @param {(frame: object) => void} o.onPush a frame without id (timeline item, receipt, closing, ...)
   * @param {(state: string, detail: object) => void} o.onState connecting | authenticating | ready | waiting | stopped
   * @param {(error: RequestError) => void} o.onAuthFailed hello rejected (invalid or expired token)
   * @param {() => void} [o.onTokenExpired] the server closed the connection because the token expired
   */
  constructor(o) {
    this.o = o;
    this.ws = null;
    this.nextId = 1;
    this.pending = new Map();
    this.state = 'idle';
    this.attempt = 0;
    this.everConnected = false;
    this.lastClosing = null;
    this.timers = { ping: 0, retry: 0, pingTimeout: 0 };
    this.retryAt = 0;
  }

  start() {
    this.stopped = false;
    this.open();
  }

  /** Signing out: close for good. */
  stop() {
    this.stopped = true;
    clearTimeout(this.timers.retry);
    this.teardown('stopped');
    this.setState('stopped', {});
  }

  /** Skip the rest of the backoff (the "Retry now" button, the browser coming back online). */
  retryNow() {
    if (this.state === 'waiting') {
      clearTimeout(this.timers.retry);
      this.open();
    }
  }

  get ready() {
    return this.state === 'ready';
  }

  /**
   * Sends a request and resolves with the ack's result, or rejects with a RequestError (the server's
   * error frame, or 'connection_lost' / 'timeout', both retryable).
   */
  request(frame) {
    if (!this.ready && frame.type !== 'hello') {
      return Promise.reject(new RequestError('not_connected', 'not connected', true));
    }
    const id = String(this.nextId++);
    const ws = this.ws;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RequestError('timeout', 'no answer in time', true));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      try {
        ws.send(JSON.stringify({ ...frame, id }));
      } catch (e) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new RequestError('connection_lost', String(e), true));
      }
    });
  }

  // ------------------------------------------------------------------ lifecycle

  async open() {
    if (this.stopped) return;
    this.setState('connecting', { attempt: this.attempt });
    let creds;
    try {
      creds = await this.o.credentials();
    } catch (e) {
      if (e.transient) {
        this.scheduleRetry(); // e.g. the token endpoint is down with the rest of the node
      } else {
        this.o.onAuthFailed(new RequestError('invalid_token', e.message, false));
      }
      return;
    }
    if (this.stopped) return;
    let ws;
    try {
      ws = new WebSocket(this.o.url);
    } catch (e) {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    this.lastClosing = null;
    ws.onopen = () => this.hello(ws, creds);
    ws.onmessage = (event) => this.onMessage(ws, event);
    ws.onclose = () => this.onClose(ws);
    ws.onerror = () => { /* onclose follows */ };
  }

  async hello(ws, creds) {
    if (ws !== this.ws) return;
    this.setState('authenticating', {});
    try {
      const welcome = await this.request({ type: 'hello', protocol: 1, token: creds.token, device: creds.device });
      if (ws !== this.ws) return;
      const resumed = this.everConnected;
      this.everConnected = true;
      this.attempt = 0;
      this.setState('ready', { resumed });
      this.startPinging(ws);
      this.o.onWelcome(welcome, resumed);
    } catch (e) {
      if (ws !== this.ws) return;
      if (e.code === 'invalid_token' || e.code === 'unsupported_protocol') {
        this.stopped = true;
        this.teardown('auth failed');
        this.setState('stopped', { error: e });
        this.o.onAuthFailed(e);
      } else {
        ws.close();
      }
    }
  }

  onMessage(ws, event) {
    if (ws !== this.ws) return;
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    if (frame.id != null && (frame.type === 'ack' || frame.type === 'error')) {
      const waiting = this.pending.get(frame.id);
      if (waiting) {
        this.pending.delete(frame.id);
        clearTimeout(waiting.timer);
        if (frame.type === 'ack') waiting.resolve(frame.result);
        else waiting.reject(new RequestError(frame.code, frame.message, frame.retryable, frame.retryAfterMs));
      }
      return;
    }
    if (frame.type === 'closing') {
      this.lastClosing = frame;
    }
    this.o.onPush(frame);
  }

  onClose(ws) {
    if (ws !== this.ws) return;
    this.teardown('closed');
    if (this.stopped) return;
    const closing = this.lastClosing;
    if (closing && closing.code === 'token_expired' && this.o.onTokenExpired) {
      // the token ran out: credentials() must come up with a new one before the next hello
      this.o.onTokenExpired();
    }
    this.scheduleRetry(closing);
  }

  scheduleRetry(closing) {
    if (this.stopped) return;
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt);
    // jitter: a node restart must not be met by every client at the same instant
    const delay = this.attempt === 0 ? 200 + Math.random() * 300 : base / 2 + Math.random() * base / 2;
    this.attempt++;
    this.retryAt = Date.now() + delay;
    this.setState('waiting', { delay, retryAt: this.retryAt, closing });
    this.timers.retry = setTimeout(() => this.open(), delay);
  }

  /** Drops the socket and fails what waits for it; the caller retries what matters (sends). */
  teardown(reason) {
    clearInterval(this.timers.ping);
    clearTimeout(this.timers.pingTimeout);
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try { ws.close(); } catch { /* already closed */ }
    }
    for (const [, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(new RequestError('connection_lost', reason, true));
    }
    this.pending.clear();
  }

  startPinging(ws) {
    clearInterval(this.timers.ping);
    this.timers.ping = setInterval(() => {
      if (ws !== this.ws) return;
      clearTimeout(this.timers.pingTimeout);
      this.timers.pingTimeout = setTimeout(() => {
        if (ws === this.ws) {
          // no pong: the connection is half-open (a dropped network); start over
          this.onClose(ws);
        }
      }, PING_TIMEOUT_MS);
      this.request({ type: 'ping' }).then(() => clearTimeout(this.timers.pingTimeout), () => {});
    }, PING_EVERY_MS);
  }

  setState(state, detail) {
    this.state = state;
    this.o.onState(state, detail);
  }
}
