// End-to-end test of the web client in a real headless Chromium, run by WebClientE2EIT (which starts
// the node and restarts it when asked). Two users in two browser contexts chat in a DM and a group;
// typing, read and unread state must show; alice's network is cut (through a TCP proxy this script runs
// in front of the node) and the node is killed and restarted, and both must come back with every
// message exactly once. Ends with screenshots of the final state.
//
//   node e2e.mjs --base http://127.0.0.1:PORT --out DIR [--chromium /usr/bin/chromium] [--suffix -2] [--skip-restart]
//
// Talks to the Java side over stdio: prints "@@kill-node" / "@@start-node" and waits for a line
// "killed" / "started" on stdin (--skip-restart leaves that part out, e.g. against `./chat run`).
// Prints "@@step …" as it goes and "@@result {json}" at the end; exits 0 only if every check passed.

import { chromium } from 'playwright-core';
import net from 'node:net';
import readline from 'node:readline';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

// --name value, or a bare --flag (true)
const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : 'true']] : pairs, []));
const BASE = (args.base || 'http://127.0.0.1:8080').replace(/\/$/, '');
const OUT = args.out || 'target/web-e2e';
const CHROMIUM = args.chromium || '/usr/bin/chromium';
const TOTAL_LIMIT_MS = Number(args['limit-ms'] || 240_000);
// WebClientE2EIT prefills "Book club" (alice and bob) with this many messages, "Book club note 1" …
const HISTORY_MESSAGES = Number(args['history-messages'] || 0);
const WAIT_MS = 15_000;
const started = Date.now();

// WebClientE2EIT gives every run a fresh keyspace; against a long-lived dev node, pass --suffix to get
// fresh users (e.g. --suffix -2)
const suffix = args.suffix || '';
const ALICE = `alice${suffix}`;
const BOB = `bob${suffix}`;
const CAROL = `carol${suffix}`;

// ------------------------------------------------------------------ plumbing

function log(kind, text) {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  console.log(`@@${kind} [${t}s] ${text}`);
}
const step = (text) => log('step', text);

class CheckFailed extends Error {}

function check(condition, message) {
  if (!condition) throw new CheckFailed(message);
}

/** Polls until `probe` returns a truthy value; fails with `what` (and the last value seen). */
async function until(what, probe, timeout = WAIT_MS) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = e.message;
    }
    if (Date.now() > end) throw new CheckFailed(`timed out waiting for: ${what} (last seen: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const stdinLines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

/** Asks the Java side to do something to the node and waits for its answer. */
async function askJava(command, expected) {
  console.log(`@@${command}`);
  const { value, done } = await stdinLines.next();
  check(!done && value.trim() === expected, `expected "${expected}" from the test, got ${done ? 'end of input' : value}`);
}

/**
 * A TCP proxy between one browser context and the node: `down()` drops every connection through it and
 * refuses new ones (a dropped network), `up()` heals it, `deafen()` keeps delivering what the browser
 * sends but discards everything the node answers (acknowledgements lost on the way back).
 */
class NetworkProxy {
  constructor(target) {
    this.target = new URL(target);
    this.pairs = new Set();
    this.isDown = false;
  }

  async start() {
    this.server = net.createServer((client) => this.accept(client));
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${this.server.address().port}`;
    return this;
  }

  accept(client) {
    if (this.isDown) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(this.target.port), this.target.hostname);
    const pair = { client, upstream, deaf: false };
    this.pairs.add(pair);
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => { if (!pair.deaf) client.write(d); });
    for (const s of [client, upstream]) {
      s.on('close', end);
      s.on('error', end);
    }
  }

  down() {
    this.isDown = true;
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    this.pairs.clear();
  }

  up() {
    this.isDown = false;
  }

  deafen() {
    for (const p of this.pairs) p.deaf = true;
  }

  close() {
    this.down();
    this.server.close();
  }
}

// ------------------------------------------------------------------ the page, as a person uses it

class Person {
  constructor(name, page, base) {
    this.name = name;
    this.page = page;
    this.base = base;
    this.errors = [];
    this.foreign = [];
    page.on('pageerror', (e) => this.errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      // failed WebSocket handshakes while the network or the node is down are expected
      if (m.type() === 'error' && !/WebSocket|ERR_CONNECTION|Failed to load resource/.test(m.text())) {
        this.errors.push(`console: ${m.text()}`);
      }
    });
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.origin !== new URL(base).origin && !url.protocol.startsWith('data')) this.foreign.push(r.url());
    });
  }

  async signIn() {
    await this.page.goto(`${this.base}/`);
    await this.page.getByRole('textbox', { name: 'User name' }).fill(this.name);
    await this.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await until(`${this.name} signed in and connected`, () => this.page.locator('#me-status[data-state="online"]').count());
  }

  roomButton(title) {
    const name = this.page.locator('.room-name', { hasText: new RegExp(`^${escapeRe(title)}$`) });
    return this.page.locator('#room-list button', { has: name });
  }

  async open(title) {
    await until(`${this.name} sees room ${title}`, () => this.roomButton(title).count());
    await this.roomButton(title).click();
    await until(`${this.name} has ${title} open`, async () => (await this.page.locator('#room-name').textContent()) === title);
  }

  async type(text) {
    await this.page.getByRole('textbox', { name: /^Message / }).pressSequentially(text, { delay: 35 });
  }

  async send(text) {
    const box = this.page.getByRole('textbox', { name: /^Message / });
    await box.fill(text);
    await box.press('Enter');
  }

  /** The open room's timeline as rendered. */
  async timeline() {
    return this.page.$$eval('#items > li[data-seq], #items > li.msg', (rows) => rows.map((li) => ({
      seq: li.dataset.seq ? Number(li.dataset.seq) : null,
      kind: li.classList.contains('msg') ? 'message' : 'system',
      sender: li.dataset.sender || null,
      clientMsgId: li.dataset.clientMsgId || null,
      status: li.dataset.status || null,
      body: li.querySelector('.body')?.textContent ?? li.textContent,
    })));
  }

  async messageStatus(body) {
    const rows = (await this.timeline()).filter((r) => r.kind === 'message' && r.body === body);
    return rows.length === 1 ? rows[0].status : rows.length === 0 ? 'absent' : `${rows.length} copies`;
  }

  async countOf(body) {
    return (await this.timeline()).filter((r) => r.kind === 'message' && r.body === body).length;
  }

  async seesOnce(body) {
    await until(`${this.name} sees "${body}"`, async () => (await this.countOf(body)) >= 1);
    check((await this.countOf(body)) === 1, `${this.name} sees "${body}" more than once`);
  }

  async unread(title) {
    const badge = this.roomButton(title).locator('.badge');
    return (await badge.count()) ? Number(await badge.getAttribute('data-unread')) : 0;
  }

  async presenceOf(title) {
    return this.roomButton(title).locator('.presence-dot').getAttribute('data-presence');
  }

  async banner() {
    return this.page.locator('#banner').getAttribute('data-state');
  }

  async typingLine() {
    return (await this.page.locator('#typing').textContent()).trim();
  }
}

/** The server has it: sent, delivered or read (not pending, not failed). */
function stored(status) {
  return ['sent', 'delivered', 'read'].includes(status);
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every rendered row of a room: gap-free seqs, no clientMsgId twice, nothing left pending. */
async function checkTimeline(person, title, expectedBodies) {
  await person.open(title);
  await until(`${person.name}'s ${title} fully loaded`, async () =>
    (await person.page.locator('#timeline-top').textContent()).includes('beginning'));
  const rows = await person.timeline();
  const seqs = rows.filter((r) => r.seq != null).map((r) => r.seq);
  const unsent = rows.filter((r) => r.seq == null);
  check(unsent.length === 0, `${person.name}/${title}: rows without seq (still pending): ${JSON.stringify(unsent)}`);
  check(seqs[0] === 1 && seqs.every((s, i) => s === i + 1),
    `${person.name}/${title}: seqs are not 1..n without gaps or repeats: ${seqs.join(',')}`);
  const ids = rows.filter((r) => r.clientMsgId).map((r) => r.clientMsgId);
  check(new Set(ids).size === ids.length, `${person.name}/${title}: a clientMsgId appears twice`);
  const bodies = rows.filter((r) => r.kind === 'message').map((r) => r.body);
  check(JSON.stringify(bodies) === JSON.stringify(expectedBodies),
    `${person.name}/${title}: messages differ.\n  expected ${JSON.stringify(expectedBodies)}\n  rendered ${JSON.stringify(bodies)}`);
  return rows.length;
}

// ------------------------------------------------------------------ the scenario

/** kill -9 of the node while both are connected, writes while it is down, and a restart. */
async function nodeRestart(alice, bob, dmBodies) {
  step('the node is killed (kill -9): both see the banner; both write while it is down');
  await askJava('kill-node', 'killed');
  await until('both banners say reconnecting', async () =>
    (await alice.banner()) === 'reconnecting' && (await bob.banner()) === 'reconnecting');
  const duringA = 'Is the server down? Sending anyway';
  const duringB = 'Looks like it. Queued on my side too';
  await alice.send(duringA);
  await bob.send(duringB);
  await until('both show their message pending', async () =>
    (await alice.messageStatus(duringA)) === 'pending' && (await bob.messageStatus(duringB)) === 'pending');

  step('the node restarts on the same port: both resume, nothing lost, nothing twice');
  await askJava('start-node', 'started');
  await until('alice\'s message is stored after the restart', async () => stored(await alice.messageStatus(duringA)), 45_000);
  await until('bob\'s message is stored after the restart', async () => stored(await bob.messageStatus(duringB)), 45_000);
  for (const p of [alice, bob]) {
    await p.seesOnce(duringA);
    await p.seesOnce(duringB);
  }
  // their order in the room is whichever reached the restarted node first
  const rows = (await alice.timeline()).filter((r) => r.body === duringA || r.body === duringB);
  dmBodies.push(...rows.map((r) => r.body));
}


async function scenario(browser, proxy) {
  const context = () => browser.newContext({
    viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, locale: 'en-GB', timezoneId: 'UTC',
  });
  const aliceContext = await context();
  const bobContext = await context();
  // alice reaches the node through the proxy (her network can be cut); bob directly, at the run URL
  const alice = new Person(ALICE, await aliceContext.newPage(), proxy.base);
  const bob = new Person(BOB, await bobContext.newPage(), BASE);
  const people = [alice, bob]; // everyone whose requests and errors are checked at the end
  const dm = { alice: BOB, bob: ALICE };
  const group = 'Weekend plans';
  const dmBodies = [];
  const groupBodies = [];

  step('the page is served by the node with a strict Content-Security-Policy');
  const response = await bob.page.request.get(`${BASE}/`);
  const csp = response.headers()['content-security-policy'] || '';
  check(response.ok() && /default-src 'none'/.test(csp) && /script-src 'self'/.test(csp) && /connect-src 'self'/.test(csp),
    `GET / must be served with a same-origin-only CSP, got: ${csp}`);

  step(`${ALICE} and ${BOB} sign in (dev mode: just a user name)`);
  await alice.signIn();
  await bob.signIn();

  step('alice opens a DM with bob; bob sees it appear');
  await alice.page.getByRole('button', { name: 'New chat' }).click();
  await alice.page.getByRole('dialog').getByRole('textbox', { name: 'User name' }).fill(BOB);
  await alice.page.getByRole('button', { name: 'Open chat' }).click();
  await until('alice has the DM open', async () => (await alice.page.locator('#room-name').textContent()) === BOB);
  await bob.open(dm.bob);
  await until('alice sees bob online (presence dot)', async () => (await alice.presenceOf(dm.alice)) === 'online');
  await until('bob sees alice online', async () => (await bob.presenceOf(dm.bob)) === 'online');

  step('alice types: bob sees the typing indicator; then the message, and alice sees it read');
  const hi = 'Hi Bob! Are you coming hiking on Saturday?';
  await alice.type(hi);
  await until('bob sees "is typing"', async () => (await bob.typingLine()).includes(`${ALICE} is typing`));
  await alice.page.getByRole('textbox', { name: /^Message / }).press('Enter');
  dmBodies.push(hi);
  await bob.seesOnce(hi);
  await until('bob\'s typing indicator ends with the message', async () => (await bob.typingLine()) === '');
  await until('alice sees her message read by bob', async () => (await alice.messageStatus(hi)) === 'read');

  step('bob answers (typing, read ticks the other way)');
  const sure = 'Sure! I will bring snacks';
  await bob.type(sure);
  await until('alice sees bob typing (header)', async () =>
    (await alice.page.locator('#room-subtitle').textContent()).includes('typing'));
  await bob.page.getByRole('textbox', { name: /^Message / }).press('Enter');
  dmBodies.push(sure);
  await alice.seesOnce(sure);
  await until('bob sees his answer read', async () => (await bob.messageStatus(sure)) === 'read');

  step('alice creates a group with bob; bob gets an unread badge; reading it clears the badge');
  await alice.page.getByRole('button', { name: 'New group' }).click();
  await alice.page.getByRole('textbox', { name: 'Group name' }).fill(group);
  await alice.page.getByRole('textbox', { name: 'Members' }).fill(BOB);
  await alice.page.getByRole('button', { name: 'Create group' }).click();
  await until('alice has the group open', async () => (await alice.page.locator('#room-name').textContent()) === group);
  const hiking = 'Trail starts at 9:00 at the north gate';
  await alice.send(hiking);
  groupBodies.push(hiking);
  await until('bob sees the group with 1 unread', async () => (await bob.unread(group)) === 1);
  check((await bob.unread(dm.bob)) === 0, 'bob has nothing unread in the DM he is reading');
  await bob.open(group);
  await bob.seesOnce(hiking);
  await until('bob\'s group badge is gone', async () => (await bob.unread(group)) === 0);
  await until('alice sees the group message read', async () => (await alice.messageStatus(hiking)) === 'read');

  step('alice adds carol to the group (keyboard only: the dialog is a form)');
  await alice.page.getByRole('button', { name: 'Add member' }).click();
  await alice.page.getByRole('dialog').getByRole('textbox', { name: 'User name' }).fill(CAROL);
  await alice.page.keyboard.press('Enter');
  await until('bob sees that carol was added', async () =>
    (await bob.timeline()).some((r) => r.kind === 'system' && r.body.includes(`added ${CAROL}`)));
  const countMeIn = 'Count me in! Should we carpool?';
  await bob.send(countMeIn);
  groupBodies.push(countMeIn);
  await alice.seesOnce(countMeIn);

  step('two tabs of alice are two devices: reading in one clears the unread badge in the other');
  const alice2 = new Person(ALICE, await aliceContext.newPage(), proxy.base);
  people.push(alice2);
  await alice2.page.goto(`${proxy.base}/`);
  await alice2.page.getByRole('button', { name: `Continue as ${ALICE}` }).click();
  await until('the second tab is connected and has both rooms', async () =>
    (await alice2.roomButton(group).count()) && (await alice2.roomButton(dm.alice).count()));
  const devices = await Promise.all([alice, alice2].map((p) => p.page.evaluate(() => sessionStorage.getItem('chat.device'))));
  check(devices[0] && devices[1] && devices[0] !== devices[1], `the two tabs must be two devices, got ${devices}`);
  await bob.open(dm.bob);
  const ping = 'Also: bring a rain jacket, just in case';
  await bob.send(ping);
  dmBodies.push(ping);
  await until('both of alice\'s tabs show 1 unread in the DM', async () =>
    (await alice.unread(dm.alice)) === 1 && (await alice2.unread(dm.alice)) === 1);
  await alice.open(dm.alice);
  await alice.seesOnce(ping);
  await until('the other tab\'s badge clears (read_marker from the server)', async () => (await alice2.unread(dm.alice)) === 0);
  await alice2.page.close();

  step('carol signs in by pasting a JWT and finds the group she was added to, with its unread count');
  const carolContext = await context();
  const carol = new Person(CAROL, await carolContext.newPage(), BASE);
  people.push(carol);
  const issued = await (await carol.page.request.post(`${BASE}/dev/token`, { data: { user: CAROL } })).json();
  await carol.page.goto(`${BASE}/`);
  await carol.page.getByText('Sign in with a token').click();
  await carol.page.getByRole('textbox', { name: 'JSON Web Token' }).fill(issued.token);
  await carol.page.getByRole('button', { name: 'Sign in with token' }).click();
  await until('carol is connected', () => carol.page.locator('#me-status[data-state="online"]').count());
  // only what came after she was added counts: bob's "Count me in"
  await until('carol sees the group with 1 unread', async () => (await carol.unread(group)) === 1);
  await carolContext.close();

  if (HISTORY_MESSAGES > 0) {
    step('a long conversation: the latest page first, older pages as alice scrolls up');
    await alice.open('Book club');
    await until('the latest page is shown', async () => (await alice.countOf(`Book club note ${HISTORY_MESSAGES}`)) === 1);
    check(!(await alice.timeline()).some((r) => r.seq === 1), 'only the latest page is loaded at first');
    await until('scrolling to the top pages in everything', async () => {
      await alice.page.locator('#timeline').evaluate((el) => { el.scrollTop = 0; });
      return (await alice.page.locator('#timeline-top').textContent()).includes('beginning');
    });
    await checkTimeline(alice, 'Book club', Array.from({ length: HISTORY_MESSAGES }, (_, i) => `Book club note ${i + 1}`));
    await alice.open(dm.alice);
  }

  step('alice\'s network drops: banner shows reconnecting, her send waits as pending; bob keeps writing');
  proxy.down();
  await until('alice\'s banner says reconnecting', async () => (await alice.banner()) === 'reconnecting');
  const offline = 'Writing this on the train, no signal';
  await alice.send(offline);
  dmBodies.push(offline);
  await until('alice\'s offline message shows as pending', async () => (await alice.messageStatus(offline)) === 'pending');
  const whileAway = ['Weather looks good', 'Sunny, 18 °C', 'Leaving at 8:30'];
  for (const text of whileAway) {
    await bob.send(text);
    await until(`bob's "${text}" is stored`, async () => stored(await bob.messageStatus(text)));
  }
  // alice's offline message is still unsent, so bob's three come first
  dmBodies.splice(dmBodies.length - 1, 0, ...whileAway);
  await alice.page.waitForTimeout(2_000);
  check((await alice.banner()) === 'reconnecting', 'still reconnecting while the network is down');

  step('the network heals: alice resumes, catches up, and her pending message goes out once');
  proxy.up();
  await until('alice\'s banner says caught up', async () => (await alice.banner()) === 'caught_up', 20_000);
  for (const text of whileAway) await alice.seesOnce(text);
  await until('alice\'s offline message is stored', async () => stored(await alice.messageStatus(offline)));
  await bob.seesOnce(offline);

  step('an acknowledgement is lost: the retry with the same clientMsgId is not stored twice');
  proxy.deafen();
  const lostAck = 'Did you get this? (my phone says not sent)';
  await alice.send(lostAck);
  dmBodies.push(lostAck);
  await bob.seesOnce(lostAck); // stored...
  await alice.page.waitForTimeout(500);
  check((await alice.messageStatus(lostAck)) === 'pending', '...but alice never heard so');
  proxy.down();
  await alice.page.waitForTimeout(500);
  proxy.up();
  await until('alice\'s retried message settles', async () => stored(await alice.messageStatus(lostAck)), 20_000);
  await alice.seesOnce(lostAck);
  await bob.page.waitForTimeout(1_000);
  await bob.seesOnce(lostAck);

  if (args['skip-restart'] === 'true') {
    step('(node restart skipped)');
  } else {
    await nodeRestart(alice, bob, dmBodies);
  }

  step('typing and read receipts keep working (after the restart, if there was one)');
  const back = 'Back online! See you at 9';
  await bob.type(back);
  await until('alice sees bob typing again', async () =>
    (await alice.page.locator('#room-subtitle').textContent()).includes('typing'));
  await bob.page.getByRole('textbox', { name: /^Message / }).press('Enter');
  dmBodies.push(back);
  await alice.seesOnce(back);
  await until('bob sees "Back online" read', async () => (await bob.messageStatus(back)) === 'read');
  const last = 'Perfect. I will bring the map';
  await alice.send(last);
  dmBodies.push(last);
  await until('alice sees her last message read', async () => (await alice.messageStatus(last)) === 'read');
  await until('banners are gone', async () => (await alice.banner()) === 'hidden' && (await bob.banner()) === 'hidden', 10_000);

  step('every timeline on both sides: seqs 1..n, each message once, in order');
  for (const p of [alice, bob]) {
    await checkTimeline(p, group, groupBodies);
    await checkTimeline(p, dm[p === alice ? 'alice' : 'bob'], dmBodies);
  }

  step('keyboard: Alt+ArrowUp/Down moves between conversations');
  await alice.page.locator('#composer-input').focus();
  await alice.page.keyboard.press('Alt+ArrowDown');
  await until('Alt+ArrowDown opened the next room', async () => (await alice.page.locator('#room-name').textContent()) === group);
  await alice.page.keyboard.press('Alt+ArrowUp');
  await until('Alt+ArrowUp went back', async () => (await alice.page.locator('#room-name').textContent()) === dm.alice);

  step('accessibility basics: every control has a name, every field a label');
  for (const p of [alice, bob]) {
    const unnamed = await p.page.$$eval('button, input, textarea', (els) => els
      .filter((e) => e.offsetParent !== null || e.closest('dialog[open]'))
      .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
      .map((e) => e.outerHTML.slice(0, 80)));
    check(unnamed.length === 0, `${p.name}: controls without an accessible name: ${unnamed.join(' | ')}`);
  }

  step('final state, for the screenshot: a new group message for alice, and bob typing to her');
  await bob.open(group);
  const seats = 'Carpool: I have 3 free seats';
  await bob.send(seats);
  groupBodies.push(seats);
  await until('alice sees the group with 1 unread', async () => (await alice.unread(group)) === 1);
  await bob.open(dm.bob);
  await bob.type('Can\'t wait');
  await until('alice sees bob typing', async () => (await alice.typingLine()).includes('typing'));
  mkdirSync(OUT, { recursive: true });
  await alice.page.screenshot({ path: join(OUT, 'final.png') });
  await bob.page.screenshot({ path: join(OUT, 'final-bob.png') });

  step('no request left the origin; no script errors');
  for (const p of people) {
    check(p.foreign.length === 0, `${p.name} made third-party requests: ${p.foreign.join(', ')}`);
    check(p.errors.length === 0, `${p.name} had errors: ${p.errors.join(' | ')}`);
  }
  const roomId = (title) => alice.roomButton(title).getAttribute('data-room-id');
  return { users: [ALICE, BOB], rooms: { [await roomId(dm.alice)]: dmBodies, [await roomId(group)]: groupBodies } };
}

// ------------------------------------------------------------------ main

const watchdog = setTimeout(() => {
  log('fail', `the scenario did not finish within ${TOTAL_LIMIT_MS / 1000} s`);
  process.exit(3);
}, TOTAL_LIMIT_MS);

let browser;
let proxy;
let exitCode = 1;
try {
  proxy = await new NetworkProxy(BASE).start();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-quic', '--no-first-run'],
  });
  step(`Chromium ${browser.version()} via playwright-core; node at ${BASE}, alice via proxy ${proxy.base}`);
  const result = await scenario(browser, proxy);
  console.log(`@@result ${JSON.stringify(result)}`);
  exitCode = 0;
} catch (e) {
  log('fail', e instanceof CheckFailed ? e.message : e.stack || String(e));
  try {
    mkdirSync(OUT, { recursive: true });
    const pages = browser ? browser.contexts().flatMap((c) => c.pages()) : [];
    await Promise.all(pages.map((p, i) => p.screenshot({ path: join(OUT, `failure-${i}.png`) }).catch(() => {})));
  } catch {
    // best effort
  }
} finally {
  await browser?.close().catch(() => {});
  proxy?.close();
  clearTimeout(watchdog);
}
process.exit(exitCode);
