// Renders the model (chat.js) into the page and turns the person's input into model calls. Rendering
// is batched into one animation frame; rows are keyed and reused, so focus, text selection and screen
// readers' live regions survive updates.

import { USER_ID } from './chat.js';

const $ = (id) => document.getElementById(id);
const NEAR_BOTTOM_PX = 48;
const NEAR_TOP_PX = 160;
const GROUP_GAP_MS = 5 * 60_000;
const CAUGHT_UP_SHOWN_MS = 3_000;

export class View {
  constructor(chat, { onSignOut }) {
    this.chat = chat;
    this.dirty = { status: true, rooms: true, room: true };
    this.frame = 0;
    this.rowCache = new Map();
    this.roomCache = new Map();
    this.shownRoomId = undefined;
    this.el = {
      app: $('app'), meName: $('me-name'), meAvatar: $('me-avatar'), meStatus: $('me-status'),
      banner: $('banner'), bannerText: $('banner-text'), bannerRetry: $('banner-retry'),
      roomList: $('room-list'), roomListEmpty: $('room-list-empty'), empty: $('empty-state'),
      roomView: $('room-view'), roomName: $('room-name'), roomSubtitle: $('room-subtitle'), roomAvatar: $('room-avatar'),
      addMember: $('add-member'), timeline: $('timeline'), timelineTop: $('timeline-top'), items: $('items'),
      typing: $('typing'), composer: $('composer'), input: $('composer-input'), composerLabel: $('composer-label'),
      jump: $('jump-latest'),
    };
    this.listeners = [];
    this.bind(onSignOut);
    this.onChange = (e) => this.invalidate(e.detail);
    chat.addEventListener('change', this.onChange);
    // relative things (reconnect countdown, "caught up" fading) need a clock
    this.tick = setInterval(() => this.invalidate({ status: true }), 1_000);
    this.el.app.hidden = false;
    this.invalidate({ status: true, rooms: true, room: true });
  }

  destroy() {
    clearInterval(this.tick);
    cancelAnimationFrame(this.frame);
    this.chat.removeEventListener('change', this.onChange);
    for (const [target, type, fn] of this.listeners) target.removeEventListener(type, fn);
    this.el.app.hidden = true;
    this.el.roomList.replaceChildren();
    this.el.items.replaceChildren();
  }

  on(target, type, fn) {
    target.addEventListener(type, fn);
    this.listeners.push([target, type, fn]);
  }

  // ------------------------------------------------------------------ input

  bind(onSignOut) {
    const { el, chat } = this;
    this.on($('sign-out'), 'click', onSignOut);
    this.on(el.bannerRetry, 'click', () => chat.retryNow());
    this.on($('back'), 'click', () => chat.select(null));
    this.on(el.roomList, 'click', (e) => {
      const button = e.target.closest('button[data-room-id]');
      if (button) this.openRoom(button.dataset.roomId);
    });
    this.on(el.composer, 'submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.on(el.input, 'keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit();
      }
    });
    this.on(el.input, 'input', () => {
      this.autosize();
      if (chat.openRoomId) chat.typed(chat.openRoomId, el.input.value);
    });
    this.on(el.input, 'blur', () => chat.stopTyping());
    this.on(el.timeline, 'scroll', () => this.scrolled());
    this.on(el.jump, 'click', () => {
      el.timeline.scrollTop = el.timeline.scrollHeight;
      this.scrolled();
    });
    this.on(el.items, 'click', (e) => {
      const retry = e.target.closest('button[data-retry]');
      if (retry) chat.retrySend(retry.dataset.retry);
      const discard = e.target.closest('button[data-discard]');
      if (discard) chat.discardSend(discard.dataset.discard);
    });
    // Alt+Up / Alt+Down: previous / next conversation, from anywhere
    this.on(document, 'keydown', (e) => {
      if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
        e.preventDefault();
        const ids = this.sortedRooms().map((r) => r.id);
        const at = ids.indexOf(chat.openRoomId);
        const next = ids[Math.max(0, Math.min(ids.length - 1, at + (e.key === 'ArrowUp' ? -1 : 1)))];
        if (next) this.openRoom(next, { focusList: true });
      }
    });

    this.dialog('new-dm', 'dm-dialog', 'dm-form', async (form) => {
      const user = form.querySelector('#dm-user').value.trim();
      if (!USER_ID.test(user)) throw new Error('A user name is 1 to 64 letters, digits or . _ @ -');
      if (user === chat.me) throw new Error('That is you. Pick someone else.');
      this.openRoom(await chat.openDm(user));
    });
    this.dialog('new-group', 'group-dialog', 'group-form', async (form) => {
      const name = form.querySelector('#group-name').value.trim();
      const members = [...new Set(form.querySelector('#group-members').value.split(/[\s,]+/).filter(Boolean))]
        .filter((m) => m !== chat.me);
      const bad = members.find((m) => !USER_ID.test(m));
      if (!name) throw new Error('Give the group a name.');
      if (bad) throw new Error(`"${bad}" is not a valid user name.`);
      this.openRoom(await chat.createGroup(name, members));
    });
    this.dialog('add-member', 'member-dialog', 'member-form', async (form) => {
      const user = form.querySelector('#member-user').value.trim();
      if (!USER_ID.test(user)) throw new Error('A user name is 1 to 64 letters, digits or . _ @ -');
      await chat.addMember(chat.openRoomId, user);
    });
  }

  /** A modal form: Cancel closes it; OK runs the action and closes it only if the action succeeded. */
  dialog(openerId, dialogId, formId, action) {
    const dialog = $(dialogId);
    const form = $(formId);
    const error = form.querySelector('.error');
    this.on($(openerId), 'click', () => {
      form.reset();
      error.textContent = '';
      dialog.showModal();
    });
    this.on(form.querySelector('[data-close]'), 'click', () => dialog.close());
    this.on(form, 'submit', async (e) => {
      // Enter in a field submits too; Escape (the dialog's own cancel) closes it
      e.preventDefault();
      const buttons = form.querySelectorAll('button');
      buttons.forEach((b) => { b.disabled = true; });
      error.textContent = '';
      try {
        await action(form);
        dialog.close();
      } catch (err) {
        error.textContent = describeError(err);
      } finally {
        buttons.forEach((b) => { b.disabled = false; });
      }
    });
  }

  openRoom(roomId, { focusList = false } = {}) {
    this.chat.select(roomId);
    this.stickToBottom = true;
    if (focusList) {
      this.afterRender = () => this.el.roomList.querySelector(`button[data-room-id="${CSS.escape(roomId)}"]`)?.focus();
    } else {
      this.afterRender = () => this.el.input.focus();
    }
  }

  submit() {
    const { el, chat } = this;
    const body = el.input.value.trim();
    if (!body || !chat.openRoomId) return;
    chat.send(chat.openRoomId, body);
    el.input.value = '';
    this.autosize();
    this.stickToBottom = true;
  }

  autosize() {
    const input = this.el.input;
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  }

  scrolled() {
    const t = this.el.timeline;
    const atBottom = t.scrollHeight - t.scrollTop - t.clientHeight < NEAR_BOTTOM_PX;
    if (atBottom !== this.chat.viewingLatest) {
      this.chat.viewingLatest = atBottom;
      this.invalidate({ room: true });
    }
    if (atBottom) this.chat.markRead();
    const room = this.chat.openRoom();
    if (room && t.scrollTop < NEAR_TOP_PX) this.chat.loadOlder(room);
  }

  // ------------------------------------------------------------------ rendering

  invalidate(what = {}) {
    if (what.status) this.dirty.status = true;
    if (what.rooms || what.presence) this.dirty.rooms = true;
    if (what.room !== undefined && (what.room === this.chat.openRoomId || what.opened)) this.dirty.room = true;
    if (what.prepended) this.prepended = true;
    if (what.sent) this.stickToBottom = true;
    if (!this.frame) this.frame = requestAnimationFrame(() => this.render());
  }

  render() {
    this.frame = 0;
    const dirty = this.dirty;
    this.dirty = {};
    if (dirty.status) this.renderStatus();
    if (dirty.rooms) this.renderRooms();
    if (dirty.room || dirty.rooms) this.renderRoom();
    if (this.afterRender) {
      const run = this.afterRender;
      this.afterRender = null;
      run();
    }
  }

  renderStatus() {
    const { el, chat } = this;
    const s = chat.status;
    el.meName.textContent = chat.me;
    avatar(el.meAvatar, chat.me);
    let state = s.state;
    let text = '';
    if (state === 'connecting' || state === 'syncing') {
      text = 'Connecting…';
    } else if (state === 'reconnecting') {
      const seconds = s.retryAt ? Math.ceil((s.retryAt - Date.now()) / 1000) : 0;
      const why = {
        shutting_down: 'The server is restarting.',
        token_expired: 'Your sign-in expired; renewing it.',
        too_many_connections: 'Too many open tabs or devices for this user.',
        slow_consumer: 'The connection fell behind.',
      }[s.closing?.code] || 'Connection lost.';
      text = seconds > 0 ? `${why} Reconnecting in ${seconds} s…` : `${why} Reconnecting…`;
    } else if (state === 'resuming') {
      text = 'Reconnected. Catching up…';
    } else if (state === 'caught_up' && s.resumed && Date.now() - s.at < CAUGHT_UP_SHOWN_MS) {
      text = 'Reconnected. All caught up: nothing missed.';
    } else {
      state = 'hidden';
    }
    if (el.banner.dataset.state !== state || el.bannerText.textContent !== text) {
      el.banner.dataset.state = state;
      el.banner.hidden = state === 'hidden';
      el.bannerText.textContent = text;
      el.bannerRetry.hidden = state !== 'reconnecting' || !s.retryAt;
    }
    const online = state === 'hidden' || state === 'caught_up';
    el.meStatus.textContent = online ? 'Online' : state === 'reconnecting' ? 'Offline — reconnecting' : 'Connecting…';
    el.meStatus.dataset.state = online ? 'online' : 'offline';
  }

  sortedRooms() {
    return [...this.chat.rooms.values()]
      .filter((r) => !r.deleted || r.id === this.chat.openRoomId)
      .sort((a, b) => b.activity - a.activity || a.id.localeCompare(b.id));
  }

  renderRooms() {
    const { el, chat } = this;
    const rooms = this.sortedRooms();
    el.roomListEmpty.hidden = rooms.length > 0 || !chat.synced;
    const rows = rooms.map((room) => {
      const title = roomTitle(room);
      const presence = room.kind === 'dm' ? (chat.presence.get(room.peer)?.status || 'offline') : null;
      const typing = [...room.typing.keys()];
      const last = room.lastMessage;
      // "You: …" for own messages, "bob: …" in groups, just the text from the peer of a DM
      const author = !last ? '' : last.sender === chat.me ? 'You: ' : room.kind === 'dm' ? '' : `${last.sender}: `;
      const preview = typing.length > 0 ? (room.kind === 'dm' ? 'typing…' : `${typing[0]} is typing…`)
        : last ? `${author}${oneLine(last.body)}`
          : room.loaded ? (room.kind === 'dm' ? 'No messages yet' : 'Group created') : 'Loading…';
      const unread = room.id === chat.openRoomId && chat.isReading(room) ? 0 : room.unread;
      return {
        key: room.id,
        sig: JSON.stringify([title, presence, preview, unread, room.id === chat.openRoomId, last && last.ts, typing.length > 0]),
        build: (li) => {
          const button = h('button', { class: 'room-item', type: 'button', 'data-room-id': room.id,
            'data-kind': room.kind, 'aria-current': room.id === chat.openRoomId ? 'true' : null });
          const av = h('span', { class: 'avatar', 'aria-hidden': 'true' });
          avatar(av, title, room.kind);
          if (presence) av.append(h('span', { class: 'presence-dot', 'data-presence': presence }));
          const top = h('span', { class: 'room-top' },
            h('span', { class: 'room-name' }, title),
            last ? h('time', { class: 'room-time', datetime: new Date(last.ts).toISOString() }, shortTime(last.ts)) : null);
          const bottom = h('span', { class: 'room-bottom' },
            h('span', { class: typing.length > 0 ? 'preview typing-preview' : 'preview' }, preview),
            unread > 0 ? h('span', { class: 'badge', 'data-unread': String(unread) }, unread > 99 ? '99+' : String(unread)) : null);
          const hidden = [presence ? `, ${presence}` : '', unread > 0 ? `, ${unread} unread` : ''].join('');
          button.append(av, h('span', { class: 'room-main' }, top, bottom), h('span', { class: 'visually-hidden' }, hidden));
          li.replaceChildren(button);
        },
      };
    });
    reconcile(el.roomList, rows, this.roomCache, 'li');
  }

  renderRoom() {
    const { el, chat } = this;
    const room = chat.openRoom();
    el.empty.hidden = !!room;
    el.roomView.hidden = !room;
    el.app.dataset.pane = room ? 'room' : 'list'; // narrow screens show one of the two
    if (!room) {
      this.shownRoomId = null;
      return;
    }
    const switched = this.shownRoomId !== room.id;
    if (switched) {
      this.shownRoomId = room.id;
      this.rowCache.clear();
      el.items.replaceChildren();
      // a screen reader should not read a whole history out as "new" when a room opens
      el.timeline.setAttribute('aria-busy', 'true');
      requestAnimationFrame(() => el.timeline.setAttribute('aria-busy', 'false'));
      el.input.value = '';
      this.autosize();
    }
    const title = roomTitle(room);
    el.roomName.textContent = title;
    avatar(el.roomAvatar, title, room.kind);
    el.roomSubtitle.textContent = this.subtitle(room);
    el.roomSubtitle.dataset.typing = room.typing.size > 0 ? 'true' : 'false';
    el.roomSubtitle.dataset.presence = room.kind === 'dm' ? chat.presence.get(room.peer)?.status || '' : '';
    el.addMember.hidden = room.kind !== 'group' || room.deleted;
    el.composerLabel.textContent = `Message ${title}`;
    el.input.placeholder = room.deleted ? 'This group was deleted' : `Message ${title}`;
    el.input.disabled = room.deleted;

    const typers = [...room.typing.keys()];
    const typingText = typers.length === 0 ? ''
      : typers.length === 1 ? `${typers[0]} is typing` : `${typers.slice(0, -1).join(', ')} and ${typers.at(-1)} are typing`;
    if (el.typing.dataset.text !== typingText) {
      el.typing.dataset.text = typingText;
      el.typing.replaceChildren(...(typingText
        ? [h('span', { class: 'dots', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')), typingText]
        : []));
    }

    el.timelineTop.textContent = !room.loaded ? 'Loading…'
      : room.loadingOlder ? 'Loading earlier messages…'
        : room.hasOlder ? '' : 'This is the beginning of the conversation.';

    // scroll: stay at the bottom if we were there, keep the view still when older items are prepended
    const t = el.timeline;
    const atBottom = switched || this.stickToBottom || t.scrollHeight - t.scrollTop - t.clientHeight < NEAR_BOTTOM_PX;
    const fromBottom = t.scrollHeight - t.scrollTop;
    reconcile(el.items, this.rows(room), this.rowCache, 'li');
    if (atBottom) {
      t.scrollTop = t.scrollHeight;
    } else if (this.prepended) {
      t.scrollTop = t.scrollHeight - fromBottom;
    }
    this.prepended = false;
    this.stickToBottom = false;
    const nowAtBottom = t.scrollHeight - t.scrollTop - t.clientHeight < NEAR_BOTTOM_PX;
    chat.viewingLatest = nowAtBottom;
    el.jump.hidden = nowAtBottom;
    if (nowAtBottom) chat.markRead();
    // a first page shorter than the viewport cannot be scrolled up: fetch older ones right away
    if (room.loaded && room.hasOlder && t.scrollHeight <= t.clientHeight + NEAR_TOP_PX) chat.loadOlder(room);
  }

  subtitle(room) {
    const { chat } = this;
    if (room.typing.size > 0) {
      return room.kind === 'dm' ? 'typing…' : `${[...room.typing.keys()].join(', ')} typing…`;
    }
    if (room.kind === 'dm') {
      const p = chat.presence.get(room.peer);
      if (!p) return '';
      if (p.status === 'online') return 'online';
      if (p.status === 'away') return 'away';
      return p.lastSeen ? `last seen ${relativeTime(p.lastSeen)}` : 'offline';
    }
    if (room.deleted) return 'This group was deleted';
    const members = room.members || [];
    return members.length ? `${members.length} members: ${members.map((m) => (m === chat.me ? 'you' : m)).join(', ')}` : '';
  }

  /** The timeline's rows: stored items in seq order, date separators, then what is still being sent. */
  rows(room) {
    const { chat } = this;
    const rows = [];
    const items = [...room.items.values()].sort((a, b) => a.seq - b.seq);
    const others = (room.members || []).filter((m) => m !== chat.me);
    let prev = null;
    let day = '';
    let lastMine = null;
    const dayRow = (ts) => {
      const d = dayKey(ts);
      if (d !== day) {
        day = d;
        prev = null;
        rows.push({ key: `d-${d}`, sig: d, build: (li) => {
          li.className = 'day';
          li.replaceChildren(h('span', {}, dayLabel(ts)));
        } });
      }
    };
    for (const item of items) {
      dayRow(item.ts);
      if (item.type !== 'message') {
        const text = systemText(item, chat.me);
        rows.push({ key: `s-${item.seq}`, sig: text, build: (li) => {
          li.className = 'system';
          li.dataset.seq = item.seq;
          li.replaceChildren(h('span', {}, text));
        } });
        prev = null;
        continue;
      }
      const mine = item.sender === chat.me;
      const first = !prev || prev.sender !== item.sender || item.ts - prev.ts > GROUP_GAP_MS;
      const status = mine ? deliveryStatus(room, item.seq, others) : null;
      rows.push(this.messageRow(room, { item, mine, first, status }));
      prev = item;
      lastMine = mine ? { index: rows.length, status } : null;
    }
    // under the newest message, if it is ours: who has read it (like "Seen" in other messengers)
    if (lastMine && lastMine.status.readers.length > 0) {
      const readers = lastMine.status.readers;
      const text = room.kind === 'dm' || readers.length === others.length && others.length === 1 ? 'Read'
        : readers.length === others.length ? 'Read by everyone' : `Read by ${readers.join(', ')}`;
      rows.splice(lastMine.index, 0, { key: 'read-note', sig: text, build: (li) => {
        li.className = 'read-note';
        li.textContent = text;
      } });
    }
    for (const entry of chat.pendingFor(room.id)) {
      dayRow(entry.createdAt);
      const item = { sender: chat.me, body: entry.body, ts: entry.ts || entry.createdAt, clientMsgId: entry.clientMsgId };
      const first = !prev || prev.sender !== chat.me;
      const status = { state: entry.state, error: entry.error }; // pending, sent (acknowledged) or failed
      rows.push(this.messageRow(room, { item, mine: true, first, status }));
      prev = item;
    }
    return rows;
  }

  messageRow(room, { item, mine, first, status }) {
    const group = room.kind === 'group';
    // stored items by seq (so a duplicate would show as one), pending ones by their clientMsgId
    const key = item.seq != null ? `m-${item.seq}` : `p-${item.clientMsgId}`;
    const sig = JSON.stringify([item.seq, item.body, first, status]);
    return {
      key, sig, build: (li) => {
        li.className = `msg ${mine ? 'mine' : 'theirs'}${first ? ' first' : ''}`;
        setData(li, {
          seq: item.seq ?? '', sender: item.sender, clientMsgId: item.clientMsgId || '', status: status ? status.state : '',
        });
        const bubble = h('div', { class: 'bubble' });
        if (group && !mine && first) bubble.append(h('div', { class: `sender ${hueClass(item.sender)}` }, item.sender));
        bubble.append(h('div', { class: 'body' }, item.body));
        const meta = h('div', { class: 'meta' }, h('time', { datetime: new Date(item.ts).toISOString() }, clock(item.ts)));
        if (status) meta.append(statusIcon(status));
        bubble.append(meta);
        const children = [];
        if (group && !mine) {
          const av = h('span', { class: 'avatar small', 'aria-hidden': 'true' });
          if (first) avatar(av, item.sender);
          else av.classList.add('spacer');
          children.push(av);
        }
        children.push(bubble);
        if (status && status.state === 'failed') {
          children.push(h('div', { class: 'failed-actions' },
            h('span', { class: 'error' }, status.error || 'Not sent'),
            h('button', { class: 'link-button', type: 'button', 'data-retry': item.clientMsgId }, 'Retry'),
            h('button', { class: 'link-button', type: 'button', 'data-discard': item.clientMsgId }, 'Discard')));
        }
        li.replaceChildren(...children);
      },
    };
  }
}

// ------------------------------------------------------------------ helpers

/** Keyed list update: rows whose signature is unchanged keep their element; order follows `rows`. */
function reconcile(container, rows, cache, tag) {
  const keep = new Set();
  let cursor = container.firstElementChild;
  for (const row of rows) {
    keep.add(row.key);
    let entry = cache.get(row.key);
    if (!entry) {
      entry = { el: document.createElement(tag), sig: null };
      cache.set(row.key, entry);
    }
    if (entry.sig !== row.sig) {
      row.build(entry.el);
      entry.sig = row.sig;
    }
    if (entry.el !== cursor) container.insertBefore(entry.el, cursor);
    else cursor = cursor.nextElementSibling;
  }
  for (const [key, entry] of cache) {
    if (!keep.has(key)) {
      entry.el.remove();
      cache.delete(key);
    }
  }
}

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null) continue;
    if (k === 'class') el.className = v;
    else el.setAttribute(k, v);
  }
  for (const c of children) {
    if (c == null) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

function setData(el, data) {
  for (const [k, v] of Object.entries(data)) el.dataset[k] = String(v);
}

/**
 * Own messages: sent (stored), delivered (every other member's device acknowledged it), read (every
 * other member read it). In groups the tooltip says who.
 */
function deliveryStatus(room, seq, others) {
  if (others.length === 0) return { state: 'sent', readers: [] };
  const readBy = others.filter((u) => (room.receipts.get(u)?.read || 0) >= seq);
  const deliveredTo = others.filter((u) => (room.receipts.get(u)?.delivered || 0) >= seq || readBy.includes(u));
  const state = readBy.length === others.length ? 'read' : deliveredTo.length === others.length ? 'delivered' : 'sent';
  const who = readBy.length ? ` (${readBy.join(', ')})` : '';
  const detail = room.kind === 'group' && others.length > 1
    ? `Read by ${readBy.length} of ${others.length}${who}, delivered to ${deliveredTo.length}`
    : null;
  return { state, detail, readers: readBy };
}

const STATUS_LABEL = { pending: 'Sending…', sent: 'Sent', delivered: 'Delivered', read: 'Read', failed: 'Not sent' };

function statusIcon(status) {
  const label = STATUS_LABEL[status.state] || status.state;
  const wrap = h('span', { class: `status status-${status.state}`, title: status.detail || label });
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', status.state === 'delivered' || status.state === 'read' ? '0 0 22 16' : '0 0 16 16');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', {
    pending: 'M8 3v5l3 2M8 15A7 7 0 1 0 8 1a7 7 0 0 0 0 14z',
    sent: 'M2 8.5l4 4 8-9',
    delivered: 'M1.5 8.5l3.5 3.5 7.5-8.5M9 12l7.5-8.5',
    read: 'M1.5 8.5l3.5 3.5 7.5-8.5M9 12l7.5-8.5',
    failed: 'M8 4v5M8 11.5v.5M8 15A7 7 0 1 0 8 1a7 7 0 0 0 0 14z',
  }[status.state] || '');
  svg.append(path);
  wrap.append(svg, h('span', { class: 'visually-hidden' }, label));
  return wrap;
}

function systemText(item, me) {
  const who = (u) => (u === me ? 'You' : u);
  const whom = (u) => (u === me ? 'you' : u);
  switch (item.type) {
    case 'room_created':
      return item.kind === 'dm'
        ? `${who(item.sender)} started this conversation`
        : `${who(item.sender)} created the group “${item.name}”`;
    case 'member_joined':
      return item.sender === item.user ? `${who(item.user)} joined` : `${who(item.sender)} added ${whom(item.user)}`;
    case 'member_left':
      return item.sender && item.sender !== item.user ? `${who(item.sender)} removed ${whom(item.user)}` : `${who(item.user)} left`;
    case 'room_renamed':
      return `${who(item.sender)} renamed the group to “${item.name}”`;
    case 'role_changed':
      return `${who(item.sender)} made ${whom(item.user)} ${item.role === 'member' ? 'a member' : `an ${item.role}`}`;
    case 'room_deleted':
      return `${who(item.sender)} deleted the group`;
    default:
      return item.type.replaceAll('_', ' ');
  }
}

function roomTitle(room) {
  if (room.kind === 'dm') return room.peer || room.id;
  return room.name || 'Group';
}

const HUES = 8;

function hueClass(name) {
  let hash = 0;
  for (const ch of String(name)) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return `hue-${hash % HUES}`;
}

function avatar(el, name, kind) {
  const initials = String(name || '?').replace(/[^\p{L}\p{N}]+/gu, ' ').trim().split(' ')
    .slice(0, 2).map((w) => w[0]).join('').toUpperCase() || '?';
  const dot = el.querySelector('.presence-dot');
  el.textContent = initials;
  if (dot) el.append(dot);
  el.className = el.className.replace(/\bhue-\d\b/g, '').trim();
  el.classList.add('avatar', hueClass(name));
  el.classList.toggle('group', kind === 'group');
}

function oneLine(s) {
  return String(s).replace(/\s+/g, ' ').slice(0, 80);
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
const weekdayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short' });

function clock(ts) {
  return timeFormat.format(new Date(ts));
}

function dayKey(ts) {
  const d = new Date(ts);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

function dayLabel(ts) {
  const today = dayKey(Date.now());
  const yesterday = dayKey(Date.now() - 86_400_000);
  const key = dayKey(ts);
  return key === today ? 'Today' : key === yesterday ? 'Yesterday' : dateFormat.format(new Date(ts));
}

function shortTime(ts) {
  const key = dayKey(ts);
  if (key === dayKey(Date.now())) return clock(ts);
  if (Date.now() - ts < 6 * 86_400_000) return weekdayFormat.format(new Date(ts));
  return dateFormat.format(new Date(ts));
}

function relativeTime(ts) {
  const s = Math.max(0, Math.round((Date.now() - ts) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (dayKey(ts) === dayKey(Date.now())) return `today at ${clock(ts)}`;
  return `${dateFormat.format(new Date(ts))} at ${clock(ts)}`;
}

export function describeError(err) {
  const byCode = {
    not_member: 'You are not a member of that conversation.',
    room_not_found: 'No such group.',
    room_full: 'The group is full.',
    forbidden: 'You are not allowed to do that here.',
    too_many_rooms: 'You are in too many conversations; leave one first.',
    too_many_requests: 'Slow down a little and try again.',
    not_connected: 'Not connected right now. Try again in a moment.',
    connection_lost: 'The connection dropped. Try again in a moment.',
    timeout: 'The server did not answer in time. Try again.',
  };
  return byCode[err.code] || err.message || String(err);
}
