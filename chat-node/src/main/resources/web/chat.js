// The client's model of the user's chats, kept consistent with the server by the protocol's client
// rules: per room, the highest seq applied; duplicates ignored; a hole fetched with history `after`
// before anything later is applied; what is applied acknowledged with `received` about once a second.
// Sends go through an outbox: shown at once as pending, retried with the same clientMsgId after every
// reconnect until the server acknowledges them, so a retry is never stored twice.

import { Connection, RequestError } from './connection.js';

const ACK_EVERY_MS = 1_000;
const TYPING_REFRESH_MS = 3_000;
const TYPING_IDLE_MS = 5_000;
/** The server ends an indicator after 6 s without a refresh; this is only a safety net. */
const TYPING_EXPIRY_MS = 7_000;
const PAGE = 50;
const FILL_PAGE = 200;
/** Rooms loaded at once after connecting: the server rate-limits history reads per user. */
const LOAD_CONCURRENCY = 3;
/** Per-member receipts exist for rooms up to this size. */
const RECEIPT_ROOM_LIMIT = 32;

export const USER_ID = /^[A-Za-z0-9._@-]{1,64}$/;

const TIMELINE_TYPES = new Set(['message', 'room_created', 'member_joined', 'member_left', 'room_renamed',
  'role_changed', 'room_deleted']);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class Chat extends EventTarget {
  /**
   * @param {object} o
   * @param {string} o.url WebSocket URL
   * @param {string} o.user the user id the token is for (known before the welcome, for the outbox)
   * @param {() => Promise<{token: string, device: string}>} o.credentials
   * @param {(error: RequestError) => void} o.onAuthFailed
   * @param {() => void} o.onTokenExpired
   */
  constructor(o) {
    super();
    this.me = o.user;
    this.rooms = new Map();
    this.presence = new Map();
    this.openRoomId = null;
    this.viewingLatest = true;
    this.synced = false;
    this.status = { state: 'connecting', resumed: false };
    this.outbox = loadOutbox(this.me);
    this.acked = new Map();
    this.watched = new Set();
    this.typingOut = { roomId: null, sentAt: 0, idle: 0 };
    this.loadQueue = [];
    this.loading = 0;
    this.connection = new Connection({
      url: o.url,
      credentials: o.credentials,
      onWelcome: (welcome, resumed) => this.onWelcome(welcome, resumed),
      onPush: (frame) => this.onPush(frame),
      onState: (state, detail) => this.onConnectionState(state, detail),
      onAuthFailed: o.onAuthFailed,
      onTokenExpired: o.onTokenExpired,
    });
    this.timers = [
      setInterval(() => this.acknowledge(), ACK_EVERY_MS),
      setInterval(() => this.expireTyping(), 1_000),
    ];
    this.onVisibility = () => this.visibilityChanged();
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  start() {
    this.connection.start();
  }

  stop() {
    this.timers.forEach(clearInterval);
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.connection.stop();
  }

  retryNow() {
    this.connection.retryNow();
  }

  // ------------------------------------------------------------------ notifications to the view

  changed(what) {
    this.dispatchEvent(new CustomEvent('change', { detail: what }));
  }

  /**
   * The banner's states: connecting (never connected yet), reconnecting (lost; retrying), resuming
   * (connected again, the replay is running), syncing (first connection, same), caught_up (synced).
   */
  onConnectionState(state, detail) {
    const lost = this.everConnected ? 'reconnecting' : 'connecting';
    if (state === 'waiting') {
      this.synced = false;
      this.status = { state: lost, retryAt: detail.retryAt, closing: detail.closing };
    } else if (state === 'connecting' || state === 'authenticating') {
      this.status = { state: lost, retryAt: 0, closing: this.status.closing };
    } else if (state === 'ready') {
      this.everConnected = true;
      this.status = { state: detail.resumed ? 'resuming' : 'syncing' };
    } else if (state === 'stopped') {
      this.status = { state: 'stopped' };
    }
    this.changed({ status: true });
  }

  // ------------------------------------------------------------------ connection events

  onWelcome(welcome, resumed) {
    this.me = welcome.userId;
    this.limits = welcome.limits;
    this.synced = false;
    // the server may have lost up to a second of cursors in a crash: acknowledge everything again
    this.acked.clear();
    // watches end with the connection
    this.watched.clear();
    this.typingOut.roomId = null;
    if (document.visibilityState === 'hidden') {
      this.request({ type: 'set_presence', status: 'away' }).catch(() => {});
    }
    // unacknowledged sends go out again, in the order they were written, with their clientMsgIds
    for (const entry of this.outbox) {
      if (entry.state !== 'failed' && entry.seq == null) this.trySend(entry);
    }
    this.changed({ status: true, rooms: true });
  }

  onPush(frame) {
    if (TIMELINE_TYPES.has(frame.type)) {
      this.onItem(frame);
      return;
    }
    const room = frame.roomId ? this.rooms.get(frame.roomId) : null;
    switch (frame.type) {
      case 'caught_up':
        if (room && room.loaded) {
          this.inRoom(room, () => room.high < frame.seq ? this.fillAfter(room, frame.seq) : null);
        }
        break;
      case 'synced':
        this.onSynced();
        break;
      case 'gap':
        // more was missed than the server replays: start this room over from its latest page
        if (room) this.inRoom(room, () => this.unload(room));
        break;
      case 'read_marker':
        if (room) {
          room.readSeq = Math.max(room.readSeq, frame.seq);
          room.unread = frame.unread;
          this.changed({ rooms: true, room: room.id });
        }
        break;
      case 'receipt':
        if (room) {
          for (const m of frame.members || []) this.noteReceipt(room, m.user, m.delivered, m.read);
          this.changed({ room: room.id });
        }
        break;
      case 'presence':
        this.presence.set(frame.user, { status: frame.status, lastSeen: frame.lastSeen });
        this.changed({ rooms: true, presence: frame.user });
        break;
      case 'typing':
        if (room && frame.user !== this.me) {
          if (frame.active) room.typing.set(frame.user, Date.now() + TYPING_EXPIRY_MS);
          else room.typing.delete(frame.user);
          this.changed({ rooms: true, room: room.id });
        }
        break;
      case 'closing':
        this.status = { ...this.status, closing: frame };
        break;
      default:
        break;
    }
  }

  /** After the replay: the authoritative room list and unread counts, then every room's latest page. */
  async onSynced() {
    let list;
    try {
      list = await this.request({ type: 'list_rooms' });
    } catch {
      return; // the connection went away; the next welcome starts over
    }
    const listed = new Set();
    for (const summary of list.rooms) {
      const room = this.room(summary.roomId);
      listed.add(room.id);
      room.listed = true;
      room.kind = summary.kind;
      if (summary.name) room.name = summary.name;
      if (summary.peer) room.peer = summary.peer;
      room.readSeq = summary.readSeq ?? room.readSeq;
      room.unread = this.isReading(room) ? 0 : summary.unread ?? room.unread;
    }
    for (const room of this.rooms.values()) {
      // not listed: left on another device while this one was away (the replay skips such rooms), or
      // joined so recently that the list does not have it yet. The room itself knows which.
      if (!listed.has(room.id) && room.loaded) this.checkMembership(room);
    }
    this.synced = true;
    this.status = { state: 'caught_up', resumed: this.status.state === 'resuming', at: Date.now() };
    for (const room of this.rooms.values()) {
      if (!room.loaded) this.scheduleLoad(room);
    }
    this.watchPeers();
    const open = this.openRoom();
    if (open && open.loaded) this.refreshReceipts(open);
    this.changed({ status: true, rooms: true, room: this.openRoomId });
  }

  checkMembership(room) {
    this.request({ type: 'get_room', roomId: room.id }).catch((e) => {
      if (e.code === 'not_member' || e.code === 'room_not_found') this.forget(room);
    });
  }

  forget(room) {
    this.rooms.delete(room.id);
    if (this.openRoomId === room.id) this.openRoomId = null;
    this.changed({ rooms: true, room: room.id, opened: true });
  }

  visibilityChanged() {
    if (this.connection.ready) {
      const status = document.visibilityState === 'hidden' ? 'away' : 'online';
      this.request({ type: 'set_presence', status }).catch(() => {});
    }
    this.markRead();
  }

  // ------------------------------------------------------------------ rooms and the timeline

  room(id) {
    let room = this.rooms.get(id);
    if (!room) {
      room = {
        id, kind: id.startsWith('dm:') ? 'dm' : 'group', name: null, peer: null, members: null,
        owner: null, admins: [], deleted: false,
        readSeq: 0, unread: 0,
        items: new Map(), low: 0, high: 0, loaded: false, hasOlder: false, loadingOlder: false,
        receipts: new Map(), typing: new Map(), lastMessage: null, activity: 0,
        queue: Promise.resolve(), loadScheduled: false, justCreated: false, readPending: 0,
      };
      if (room.kind === 'dm') room.peer = dmPeer(id, this.me);
      this.rooms.set(id, room);
    }
    return room;
  }

  openRoom() {
    return this.openRoomId ? this.rooms.get(this.openRoomId) : null;
  }

  /** Runs timeline work of one room strictly one after the other: the seq rules need that. */
  inRoom(room, work) {
    room.queue = room.queue.then(work).catch((e) => {
      if (!(e instanceof RequestError)) console.error(e);
      // a request failed (usually: the connection went away). Nothing was applied past the hole, and
      // the replay after the next hello starts at the acknowledged cursor, so nothing is lost.
    });
    return room.queue;
  }

  onItem(item) {
    const room = this.room(item.roomId);
    if (item.type === 'room_created') this.noteRoomInfo(room, item);
    if (!room.loaded && !room.listed && (item.type === 'room_created' || (item.type === 'member_joined' && item.user === this.me))) {
      // a room new to the user: like the server, count as unread only what came after joining
      room.readSeq = Math.max(room.readSeq, item.seq);
    }
    this.inRoom(room, async () => {
      if (!room.loaded) await this.load(room);
      await this.applyInOrder(room, item);
    });
  }

  async applyInOrder(room, item) {
    if (item.seq <= room.high) {
      this.settleOutbox(item); // a duplicate, but it may still be the echo of a send we retried
      return;
    }
    if (item.seq > room.high + 1) {
      await this.fillAfter(room, item.seq - 1);
    }
    if (item.seq === room.high + 1) {
      this.apply(room, item, true);
    }
  }

  /** Reads the hole after the highest applied seq, up to {@code upTo} (or the room's end). */
  async fillAfter(room, upTo) {
    while (room.high < upTo) {
      const page = await this.request({ type: 'history', roomId: room.id, after: room.high, limit: FILL_PAGE });
      for (const item of page.items) {
        if (item.seq === room.high + 1) this.apply(room, item, true);
      }
      if (!page.hasMore || page.items.length === 0) break;
    }
    this.settleAcked(room);
  }

  /** Acknowledged sends whose items are now within what this tab has: their pending copies go. */
  settleAcked(room) {
    for (const entry of this.outbox.filter((e) => e.roomId === room.id && e.seq != null && e.seq <= room.high)) {
      this.dropFromOutbox(entry);
    }
  }

  /** The room's description and its latest page: what a room starts from in this tab. */
  async load(room) {
    if (room.loaded) return;
    let info;
    let page;
    try {
      [info, page] = await Promise.all([
        this.request({ type: 'get_room', roomId: room.id }),
        this.request({ type: 'history', roomId: room.id, limit: PAGE }),
      ]);
    } catch (e) {
      if (e.code === 'not_member') this.forget(room); // left or removed meanwhile
      throw e;
    }
    this.noteRoomInfo(room, info.room);
    if (room.loaded) return;
    room.items.clear();
    room.low = 0;
    room.high = 0;
    for (const item of page.items) {
      room.items.set(item.seq, item);
      room.low = room.low || item.seq;
      room.high = item.seq;
      this.note(room, item, false);
    }
    room.hasOlder = page.hasMore;
    room.loaded = true;
    if (this.synced && !room.listed && !this.isReading(room)) {
      // not in the last list_rooms: count what its page holds, as the server would
      room.unread = page.items.filter((i) => i.type === 'message' && i.sender !== this.me && i.seq > room.readSeq).length;
    }
    this.settleAcked(room);
    if (room.id === this.openRoomId) this.refreshReceipts(room);
    this.changed({ rooms: true, room: room.id });
  }

  unload(room) {
    room.loaded = false;
    room.items.clear();
    room.low = room.high = 0;
    this.scheduleLoad(room);
  }

  scheduleLoad(room) {
    if (room.loadScheduled) return;
    room.loadScheduled = true;
    this.loadQueue.push(room);
    this.pumpLoads();
  }

  pumpLoads() {
    // the open room first: it is what the person is looking at
    this.loadQueue.sort((a, b) => (b.id === this.openRoomId) - (a.id === this.openRoomId));
    while (this.loading < LOAD_CONCURRENCY && this.loadQueue.length > 0) {
      const room = this.loadQueue.shift();
      this.loading++;
      this.inRoom(room, () => room.loaded ? null : this.retrying(() => this.load(room))).finally(() => {
        this.loading--;
        room.loadScheduled = false;
        this.pumpLoads();
      });
    }
  }

  /** Older items, when the timeline is scrolled to its top. */
  async loadOlder(room) {
    if (!room.loaded || !room.hasOlder || room.loadingOlder) return;
    room.loadingOlder = true;
    this.changed({ room: room.id });
    try {
      const page = await this.retrying(() => this.request({ type: 'history', roomId: room.id, before: room.low, limit: PAGE }));
      for (const item of page.items) {
        if (item.seq < room.low) room.items.set(item.seq, item);
      }
      if (page.items.length > 0) room.low = Math.min(room.low, page.items[0].seq);
      room.hasOlder = page.hasMore && room.low > 1;
      this.changed({ room: room.id, prepended: true });
    } catch {
      // offline: scrolling up again retries
    } finally {
      room.loadingOlder = false;
      this.changed({ room: room.id });
    }
  }

  apply(room, item, live) {
    room.items.set(item.seq, item);
    room.high = item.seq;
    room.low = room.low || item.seq;
    this.note(room, item, live);
    this.changed({ rooms: true, room: room.id, item });
    if (live && room.id === this.openRoomId) this.markReadSoon();
  }

  /** What an item tells about the room besides itself. */
  note(room, item, live) {
    room.activity = Math.max(room.activity, item.ts || 0);
    switch (item.type) {
      case 'room_created':
        this.noteRoomInfo(room, item);
        break;
      case 'member_joined':
        if (room.members && !room.members.includes(item.user)) room.members = [...room.members, item.user].sort();
        break;
      case 'member_left':
        if (room.members) room.members = room.members.filter((m) => m !== item.user);
        if (item.user === this.me && live) queueMicrotask(() => this.forget(room));
        break;
      case 'room_renamed':
        room.name = item.name;
        break;
      case 'room_deleted':
        room.deleted = true;
        break;
      case 'message': {
        room.lastMessage = item;
        room.typing.delete(item.sender);
        // a member's own message says they have it and read it (the server sends no receipt for that)
        this.noteReceipt(room, item.sender, item.seq, item.seq);
        this.settleOutbox(item);
        if (live && this.synced && item.sender !== this.me && item.seq > room.readSeq && !this.isReading(room)) {
          room.unread++;
        }
        break;
      }
      default:
        break;
    }
  }

  noteRoomInfo(room, info) {
    room.kind = info.kind || room.kind;
    if (info.name) room.name = info.name;
    if (info.members) room.members = [...info.members].sort();
    if (info.owner !== undefined) room.owner = info.owner;
    if (info.admins) room.admins = info.admins;
    if (info.createdAt || info.ts) room.activity = Math.max(room.activity, info.createdAt || info.ts);
    if (room.kind === 'dm' && room.members) {
      room.peer = room.members.find((m) => m !== this.me) || room.peer;
    }
    if (room.kind === 'dm') this.watchPeers();
  }

  noteReceipt(room, user, delivered, read) {
    const now = room.receipts.get(user) || { delivered: 0, read: 0 };
    room.receipts.set(user, { delivered: Math.max(now.delivered, delivered), read: Math.max(now.read, read) });
  }

  async refreshReceipts(room) {
    if (room.members && room.members.length > RECEIPT_ROOM_LIMIT) return;
    try {
      const receipts = await this.request({ type: 'receipts', roomId: room.id });
      for (const m of receipts.members || []) this.noteReceipt(room, m.user, m.delivered, m.read);
      this.changed({ room: room.id });
    } catch {
      // pushes keep coming; the next open or reconnect asks again
    }
  }

  /** Presence is shown for DM peers; the server allows watching users who share a room. */
  watchPeers() {
    if (!this.connection.ready) return;
    const users = [...this.rooms.values()]
      .filter((r) => r.kind === 'dm' && r.peer && !this.watched.has(r.peer))
      .map((r) => r.peer);
    if (users.length === 0) return;
    users.forEach((u) => this.watched.add(u));
    this.request({ type: 'watch_presence', users }).then((result) => {
      for (const p of result.presences) this.presence.set(p.user, { status: p.status, lastSeen: p.lastSeen });
      this.changed({ rooms: true });
    }, () => users.forEach((u) => this.watched.delete(u)));
  }

  // ------------------------------------------------------------------ reading

  /** The person is looking at the newest part of this room. */
  isReading(room) {
    return room.id === this.openRoomId && document.visibilityState === 'visible' && this.viewingLatest;
  }

  markReadSoon() {
    clearTimeout(this.readTimer);
    this.readTimer = setTimeout(() => this.markRead(), 150);
  }

  markRead() {
    const room = this.openRoom();
    if (!room || !room.loaded || !this.connection.ready || !this.isReading(room)) return;
    const seq = room.high;
    if ((seq <= room.readSeq && room.unread === 0) || room.readPending >= seq) return;
    room.readPending = seq;
    room.unread = 0; // at once here; the server's read_marker tells the user's other devices
    this.changed({ rooms: true });
    this.request({ type: 'read', roomId: room.id, seq }).then((state) => {
      room.readSeq = Math.max(room.readSeq, state.seq);
      room.unread = state.unread;
      this.changed({ rooms: true });
    }, () => {}).finally(() => { room.readPending = 0; });
  }

  /** Cumulative `received` cursors, about once a second, only for rooms that moved. */
  acknowledge() {
    if (!this.connection.ready) return;
    const cursors = {};
    let count = 0;
    for (const room of this.rooms.values()) {
      if (room.loaded && room.high > (this.acked.get(room.id) || 0) && count < 500) {
        cursors[room.id] = room.high;
        count++;
      }
    }
    if (count === 0) return;
    this.request({ type: 'received', cursors }).then(() => {
      for (const [roomId, seq] of Object.entries(cursors)) {
        this.acked.set(roomId, Math.max(this.acked.get(roomId) || 0, seq));
      }
    }, () => {});
  }

  // ------------------------------------------------------------------ sending

  send(roomId, body) {
    const entry = { clientMsgId: crypto.randomUUID(), roomId, body, createdAt: Date.now(), state: 'pending', attempts: 0 };
    this.outbox.push(entry);
    this.saveOutbox();
    if (this.typingOut.roomId === roomId) {
      // the message ends the indicator on the server; no separate typing:false
      this.typingOut.roomId = null;
      clearTimeout(this.typingOut.idle);
    }
    this.viewingLatest = true;
    this.changed({ room: roomId, sent: true });
    this.trySend(entry);
  }

  trySend(entry) {
    if (entry.inFlight || !this.connection.ready) return;
    entry.inFlight = true;
    entry.state = 'pending';
    entry.attempts++;
    this.connection.request({ type: 'send', roomId: entry.roomId, clientMsgId: entry.clientMsgId, body: entry.body })
      .then((sent) => {
        entry.inFlight = false;
        entry.seq = sent.seq;
        entry.ts = sent.ts;
        entry.state = 'sent';
        const room = this.rooms.get(entry.roomId);
        if (room && room.loaded && sent.seq <= room.high) {
          this.dropFromOutbox(entry);
        } else if (room && room.loaded) {
          // acknowledged, but its item has not arrived (yet): read it rather than wait for the push
          this.inRoom(room, () => room.high < sent.seq ? this.fillAfter(room, sent.seq) : null);
        }
        this.saveOutbox();
        this.changed({ room: entry.roomId });
      }, (error) => {
        entry.inFlight = false;
        if (error.retryable) {
          entry.state = 'pending';
          if (this.connection.ready && error.code !== 'connection_lost' && error.code !== 'not_connected') {
            // timeout, unavailable, too_many_requests: the outcome is unknown; the same clientMsgId again
            const wait = error.retryAfterMs || Math.min(10_000, 500 * 2 ** entry.attempts);
            setTimeout(() => this.trySend(entry), wait);
          } // else: the next welcome sends it again
        } else {
          entry.state = 'failed';
          entry.error = error.message;
        }
        this.saveOutbox();
        this.changed({ room: entry.roomId });
      });
  }

  retrySend(clientMsgId) {
    const entry = this.outbox.find((e) => e.clientMsgId === clientMsgId);
    if (entry) {
      entry.state = 'pending';
      entry.attempts = 0;
      this.trySend(entry);
      this.changed({ room: entry.roomId });
    }
  }

  discardSend(clientMsgId) {
    const entry = this.outbox.find((e) => e.clientMsgId === clientMsgId);
    if (entry) {
      this.dropFromOutbox(entry);
      this.changed({ room: entry.roomId });
    }
  }

  /** The stored item of one of our sends arrived: the pending copy goes. */
  settleOutbox(item) {
    if (item.type !== 'message' || item.sender !== this.me) return;
    const entry = this.outbox.find((e) => e.clientMsgId === item.clientMsgId);
    if (entry) this.dropFromOutbox(entry);
  }

  dropFromOutbox(entry) {
    const i = this.outbox.indexOf(entry);
    if (i >= 0) {
      this.outbox.splice(i, 1);
      this.saveOutbox();
    }
  }

  saveOutbox() {
    try {
      sessionStorage.setItem(outboxKey(this.me), JSON.stringify(this.outbox.map(
        ({ clientMsgId, roomId, body, createdAt, state, error }) => ({ clientMsgId, roomId, body, createdAt, state, error }))));
    } catch {
      // storage full or disabled: the outbox still lives in memory
    }
  }

  pendingFor(roomId) {
    return this.outbox.filter((e) => e.roomId === roomId);
  }

  // ------------------------------------------------------------------ typing

  typed(roomId, text) {
    if (!this.connection.ready) return;
    const t = this.typingOut;
    if (!text.trim()) {
      this.stopTyping();
      return;
    }
    const now = Date.now();
    if (t.roomId !== roomId || now - t.sentAt > TYPING_REFRESH_MS) {
      if (t.roomId && t.roomId !== roomId) this.stopTyping();
      t.roomId = roomId;
      t.sentAt = now;
      this.request({ type: 'typing', roomId, active: true }).catch(() => {});
    }
    clearTimeout(t.idle);
    t.idle = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping() {
    const t = this.typingOut;
    clearTimeout(t.idle);
    if (t.roomId && this.connection.ready) {
      this.request({ type: 'typing', roomId: t.roomId, active: false }).catch(() => {});
    }
    t.roomId = null;
  }

  expireTyping() {
    const now = Date.now();
    for (const room of this.rooms.values()) {
      for (const [user, until] of room.typing) {
        if (until < now) {
          room.typing.delete(user);
          this.changed({ rooms: true, room: room.id });
        }
      }
    }
  }

  // ------------------------------------------------------------------ navigation and room commands

  select(roomId) {
    if (this.openRoomId !== roomId) this.stopTyping();
    this.openRoomId = roomId;
    this.viewingLatest = true;
    const room = roomId ? this.rooms.get(roomId) : null;
    if (room) {
      if (!room.loaded) this.scheduleLoad(room);
      else this.refreshReceipts(room);
    }
    this.changed({ rooms: true, room: roomId, opened: true });
    this.markReadSoon();
  }

  async openDm(user) {
    const result = await this.request({ type: 'open_dm', user });
    return this.adopt(result.room);
  }

  async createGroup(name, members) {
    // our own room id makes the create safe to retry: the same creator gets the same room back
    const roomId = `g-${crypto.randomUUID()}`;
    const result = await this.retrying(() => this.request({ type: 'create_room', roomId, name, members, visibility: 'private' }));
    return this.adopt(result.room);
  }

  async addMember(roomId, user) {
    const result = await this.request({ type: 'add_member', roomId, user });
    this.noteRoomInfo(this.room(roomId), result.room);
    this.changed({ room: roomId });
  }

  adopt(info) {
    const room = this.room(info.roomId);
    room.justCreated = true;
    this.noteRoomInfo(room, info);
    if (!room.loaded) this.scheduleLoad(room);
    this.changed({ rooms: true });
    return room.id;
  }

  // ------------------------------------------------------------------ plumbing

  request(frame) {
    return this.connection.request(frame);
  }

  /** Retries what is safe to retry while the server asks to slow down or times out. */
  async retrying(run, attempts = 4) {
    for (let i = 1; ; i++) {
      try {
        return await run();
      } catch (e) {
        const again = e instanceof RequestError && e.retryable && e.code !== 'connection_lost'
          && e.code !== 'not_connected' && i < attempts;
        if (!again) throw e;
        await sleep(e.retryAfterMs || 300 * i);
      }
    }
  }
}

function dmPeer(roomId, me) {
  const [, a, b] = roomId.split(':');
  return a === me ? b : a;
}

function outboxKey(user) {
  return `chat.outbox.${user}`;
}

/** Unsent messages survive a reload of the tab (sessionStorage: per tab, like the device). */
function loadOutbox(user) {
  try {
    const saved = JSON.parse(sessionStorage.getItem(outboxKey(user)) || '[]');
    return saved.filter((e) => e && e.clientMsgId && e.roomId && typeof e.body === 'string')
      .map((e) => ({ ...e, state: e.state === 'failed' ? 'failed' : 'pending', attempts: 0, inFlight: false }));
  } catch {
    return [];
  }
}
