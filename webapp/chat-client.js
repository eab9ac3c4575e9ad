// chat-client.js: the chat's wire protocol (docs/PROTOCOL.md, version 3) for a browser front end, in one
// small ES module with no dependencies. One WebSocket carries every room the client is subscribed to; it
// reconnects with jittered backoff and then resumes each room where it stood (since/epoch), so a front end
// sees every chat message once, in order, per room. The page (chat.js) is built on it; so can any other.
//
//   import { ChatClient } from './chat-client.js';
//   const chat = new ChatClient({ user: 'alice' });
//   chat.on('chat', (m) => console.log(m.room, m.user, m.msg));
//   chat.subscribe('lobby');      // kept: entered on connect, and again after every reconnect
//   chat.subscribe('@bob');       // a direct conversation with bob, on the same socket
//   chat.connect();
//   ...
//   chat.say('lobby', 'hello');   // false while not connected: nothing is queued
//
// Events (chat.on(type, listener) returns a function that removes the listener):
//   'status'   {state: 'connecting' | 'online' | 'reconnecting' | 'stopped', at (ms, when reconnecting),
//               code, reason, error (the last error frame before a close, or null)}
//   'ready'    the connection's welcome {user, key?}: subscribe here, or keep the subscriptions the client resumes
//   'key'      the name's key (a string) from a welcome: keep it to prove the name next time
//   'welcome'  a room's welcome, with `resumed` (true when it answered a since/epoch) and `seen` (the last id
//              this client had in that epoch, 0 if none)
//   'chat', 'join', 'leave', 'typing', 'history', 'notice', 'rooms', 'unsubscribed', 'pong': the frames as sent;
//              'rooms' with `mine: true` is the answer to myRooms(), without it the directory's
//   'read'     {room, id}: another connection of our name read the room up to id (another tab, another device)
//   'seen'     {room, user, id}: in a direct conversation, the other person read it up to id
//   'online'   {room, user, online}: in a direct conversation, the other person came online anywhere, or went
//              (its welcome's otherOnline says it first; this server's addition, docs/PROTOCOL.md)
//   'edit', 'delete', 'reaction', 'moderation': the room log's entries (each once, in id order, like chat
//              messages); applyEntry(message, entry) below turns a message into what it is after one
//   'error'    an error frame; `room` says which room it concerns (as this client named it), when one, and
//              `refused` is true when the server would not let the client into that room (it is not asked
//              for again); `removed` is true as well when a moderator took the name out of a room it was in
//              (`banned` with `until` and `reason`, or `kicked`); `retrying` is true on a rate-limited error
//              when subscribes that went unanswered are asked again, more slowly (the error names no room:
//              it may also be about a chat). Others of the room log: `not-found`, `forbidden`, `muted` (`until`)
//
// What a front end sends: say, typing, history, directory; edit, delete, react; read, myRooms, forget; and,
// for a moderator (the 'ready' frame's `moderator` is true), mute, ban and kick. With tokens: refresh (a new
// token on the open connection) and reconnect (a new connection with a new token, every room resumed).
//   'auth'     {exp}: the server took the token refresh() sent (a refused one is an 'error' `unauthorized` with no
//              room, and the connection goes on with its old token until that runs out: 4001)
//   'frame'    every frame, those of later protocol versions included
//
// Not thread-safe in any sense that matters in a page: one event loop drives it.

const PROTOCOL = 'chat.v1';      // offered beside a key or token, so the server selects it and never echoes them
const KEY_PREFIX = 'key.';
const PING_MS = 25_000;          // well inside the server's 60 s idle timeout
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 30_000;
// A subscribe counts against the server's rate like a chat message (default: bursts of 30, then 10 a
// second): a client with many rooms asks for 20 at once, then 5 a second, leaving room for what the
// person sends meanwhile. A stricter server answers rate-limited: every subscribe not answered yet is
// asked again, each time at half the pace, down to one every 2 s.
const SUBSCRIBE_BURST = 20;
const SUBSCRIBE_EVERY_MS = 200;
const SUBSCRIBE_SLOWEST_MS = 2_000;
// A close a retry cannot change: 1003 (a binary frame), 1008 (policy: name, token, origin, flooding), 4001
// (the token expired). Everything else (1000, 1001, 1006, 1011, 1013...) is worth another try.
const FINAL_CLOSES = new Set([1003, 1008, 4001]);
// The answers to a subscribe that refuse it: the room is not joined, and is not asked for again on reconnect.
const REFUSALS = new Set(['forbidden', 'unknown-user', 'banned', 'room-limit', 'unavailable', 'too-many-rooms',
  'invalid-query', 'invalid-user']);
// A room left by a moderator's decision: not asked for again either.
const REMOVALS = new Set(['banned', 'kicked']);

/** Orders names as the server does, by code point (not by UTF-16 unit, which differs past U+FFFF). */
export function byCodePoint(a, b) {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const difference = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (difference !== 0) return difference;
  }
  return x.length - y.length;
}

// The entries of a room's log other than chat messages: they take ids of the room's sequence as messages do.
const ENTRIES = new Set(['edit', 'delete', 'reaction', 'moderation']);

/**
 * A chat message (a frame as sent, or as an earlier call returned it) as it is after one entry of the room's
 * log: a new object, the one given unchanged. An entry about another message, or about a deleted one, changes
 * nothing; applying one that the message already shows (a replay sends each message as it is now, then the
 * entries after the `since`) changes nothing either, so entries applied in id order end where everyone is.
 */
export function applyEntry(message, entry) {
  if (message === null || typeof message !== 'object' || message.deleted === true
      || Number(entry?.target) !== Number(message.id)) return message;
  switch (entry.type) {
    case 'edit':
      return { ...message, msg: String(entry.msg ?? ''), edited: entry.dateTime };
    case 'delete': {
      const { msg, reactions, edited, ...rest } = message;   // the text is gone, and so is all about it
      return { ...rest, deleted: true };
    }
    case 'reaction': {
      const emoji = String(entry.emoji ?? '');
      const user = String(entry.user ?? '');
      const reactions = { ...(isObject(message.reactions) ? message.reactions : {}) };
      const names = (Array.isArray(reactions[emoji]) ? reactions[emoji] : []).filter((name) => name !== user);
      if (entry.on !== false) names.push(user);
      if (names.length > 0) reactions[emoji] = names; else delete reactions[emoji];
      return { ...message, reactions };
    }
    default:
      return message;
  }
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The name the server gives the direct conversation of two names: @A+B, in code-point order. */
export function directRoom(one, other) {
  return '@' + [one, other].sort(byCodePoint).join('+');
}

/** The endpoint beside a page at CONTEXT/ or CONTEXT/index.html: CONTEXT/chat, ws: or wss: as the page. */
export function endpointBeside(page = location.href) {
  const url = new URL('chat', page);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  url.hash = '';
  return url.href;
}

/** One connection to the chat, for any number of rooms. */
export class ChatClient {
  /**
   * @param {object} options
   * @param {string} options.user the name to chat under (a token's subject or a container's user wins over it;
   *     empty when the page cannot know it before the welcome)
   * @param {string} [options.url] the endpoint; by default CONTEXT/chat beside the page
   * @param {string} [options.key] the name's key, from an earlier welcome
   * @param {string} [options.token] a JWT, when the server wants one
   */
  constructor({ user, url = endpointBeside(), key = null, token = null }) {
    this.user = user;            // the server's spelling once 'ready' came
    this.moderator = false;      // what the connection's welcome said: may this name moderate
    this.url = url;
    this.key = key;
    this.token = token;
    this.listeners = new Map();
    // room -> { asked (the name sent), epoch, lastId, state: 'asked' | 'in', sent (asked on this socket) }
    this.subscriptions = new Map();
    this.socket = null;
    this.attempt = 0;            // reconnects since the last welcome: drives the backoff
    this.lastError = null;       // this socket's latest error frame: a refusal's words come just before its close
    this.timers = { ping: 0, retry: 0, asks: 0 };
    this.asks = [];              // rooms whose subscribe waits for the pace below, oldest first
    this.credit = 0;             // subscribes that may go now; refills one per `pace`
    this.refilled = 0;           // when the credit was last topped up (ms)
    this.pace = SUBSCRIBE_EVERY_MS; // ms per subscribe once the burst is spent; slower after rate-limited
    this.wanted = false;         // false once closed on purpose or stopped: nothing reconnects then
  }

  // ---- events

  on(type, listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(listener);
    return () => this.listeners.get(type).delete(listener);
  }

  emit(type, detail) {
    for (const listener of this.listeners.get(type) ?? []) listener(detail);
  }

  // ---- the connection

  connect() {
    this.wanted = true;
    this.open();
  }

  /**
   * Connects now if not connected (the person asked, or the browser came back online): no need to sit out the
   * backoff, nor an attempt that hangs (it is dropped, and its events are ignored).
   */
  retryNow() {
    if (!this.wanted || this.online) return;
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    this.open();
  }

  /** Closes for good: no reconnect, and the server sees a normal close. */
  close() {
    this.wanted = false;
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'left');
  }

  get online() {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  open() {
    this.clearTimers();
    this.emit('status', { state: 'connecting' });
    this.lastError = null;
    for (const entry of this.subscriptions.values()) Object.assign(entry, { state: 'asked', sent: false });
    // The token, or the name's key, rides in the subprotocol, never in the URL, so it stays out of access logs.
    const protocols = this.token ? [PROTOCOL, this.token] : this.key ? [PROTOCOL, KEY_PREFIX + this.key] : [];
    // room= empty: the connection starts in no room, and every room comes by subscribe, resumed or new alike.
    const query = new URLSearchParams(this.user ? { v: '3', user: this.user, room: '' } : { v: '3', room: '' });
    let socket;
    try {
      socket = new WebSocket(this.url + '?' + query, protocols);
    } catch {
      // refused before any connection (an address the page's CSP or the browser will not open): a failed attempt
      this.retryLater({ code: 1006, reason: '', error: null });
      return;
    }
    this.socket = socket;
    // Events of a socket already replaced (closed, reconnected) must not reach the front end.
    const current = (handler) => (event) => { if (this.socket === socket) handler.call(this, event); };
    socket.addEventListener('open', current(() => {
      this.timers.ping = setInterval(() => this.send({ type: 'ping' }), PING_MS);
    }));
    socket.addEventListener('message', current(this.onMessage));
    socket.addEventListener('close', current(this.onClose));
    // 'error' is always followed by 'close', which does the work.
  }

  clearTimers() {
    clearInterval(this.timers.ping);
    clearTimeout(this.timers.retry);
    clearTimeout(this.timers.asks);
  }

  onClose(event) {
    this.clearTimers();
    this.socket = null;
    if (!this.wanted) return;
    const detail = { code: event.code, reason: event.reason, error: this.lastError };
    if (FINAL_CLOSES.has(event.code)) {
      this.wanted = false;
      this.emit('status', { state: 'stopped', ...detail });
      return;
    }
    this.retryLater(detail);
  }

  /** A failed attempt or a lost connection: the next attempt after the backoff. */
  retryLater(detail) {
    // Exponential backoff with jitter, so a restarted server is not hit by every client at once.
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt);
    const delay = ceiling / 2 + Math.random() * ceiling / 2;
    this.attempt += 1;
    this.timers.retry = setTimeout(() => this.open(), delay);
    this.emit('status', { state: 'reconnecting', at: Date.now() + delay, ...detail });
  }

  /**
   * Presents a new token on the open connection, before the old one runs out ('auth' answers it); kept for the
   * next connect as well. False when not connected: the next connect presents it.
   */
  refresh(token) {
    this.token = token;
    return this.send({ type: 'auth', token });
  }

  /** Connects again now with a new token (the old one ran out, or was refused), resuming every room. */
  reconnect(token) {
    this.token = token;
    this.wanted = true;
    const socket = this.socket;
    this.socket = null;                        // its close must not reach us: this is no outage
    socket?.close(1000, 'new token');
    this.open();
  }

  /** Sends one frame; false when not connected (nothing is queued: the caller decides what to keep). */
  send(frame) {
    if (!this.online) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  // ---- rooms

  /**
   * Adds a room (a direct conversation as @NAME or @A+B); its frames follow its 'welcome'. Kept across
   * reconnects, each time resumed after the last message seen. `from` ({epoch, lastId}, as a welcome and
   * the chat ids gave them) resumes it after what a front end already shows. False when asked for already.
   */
  subscribe(room, from = null) {
    const name = this.canonical(room);
    if (this.subscriptions.has(name)) return false;
    const known = from !== null && from.epoch !== null && from.epoch !== undefined;
    this.subscriptions.set(name, {
      asked: room, epoch: known ? String(from.epoch) : null, lastId: known ? from.lastId : 0, state: 'asked', sent: false,
    });
    this.ask(name);
    return true;
  }

  /** Removes a room; its 'unsubscribed' follows. */
  unsubscribe(room) {
    const name = this.canonical(room);
    if (!this.subscriptions.delete(name)) return false;
    this.send({ type: 'unsubscribe', room: name });
    return true;
  }

  /**
   * Takes a room off our name's rooms ("my rooms", on every device of the name), and leaves it if subscribed;
   * the server answers 'unsubscribed' even when this connection was not in it.
   */
  forget(room) {
    const name = this.canonical(room);
    this.subscriptions.delete(name);
    return this.send({ type: 'unsubscribe', room: name, forget: true });
  }

  /** The rooms subscribed to, and where each stands: [room, { epoch, lastId, state }]. */
  rooms() {
    return [...this.subscriptions].map(([room, { epoch, lastId, state }]) => [room, { epoch, lastId, state }]);
  }

  /** Asks the server for a room, at the pace above; not connected, the next 'ready' asks again. */
  ask(room) {
    if (!this.asks.includes(room)) this.asks.push(room);
    this.sendAsks();
  }

  sendAsks() {
    clearTimeout(this.timers.asks);
    if (!this.online) return;
    const now = Date.now();
    this.credit = Math.min(SUBSCRIBE_BURST, this.credit + (now - this.refilled) / this.pace);
    this.refilled = now;
    while (this.asks.length > 0 && this.credit >= 1) {
      const room = this.asks.shift();
      const entry = this.subscriptions.get(room);
      if (entry === undefined || entry.state !== 'asked') continue;  // unsubscribed, or in, meanwhile
      const frame = { type: 'subscribe', room: entry.asked };
      if (entry.epoch !== null) Object.assign(frame, { since: entry.lastId, epoch: entry.epoch });
      this.send(frame);
      entry.sent = true;
      this.credit -= 1;
    }
    if (this.asks.length > 0) this.timers.asks = setTimeout(() => this.sendAsks(), this.pace);
  }

  /** @NAME as the server names it, once our own name is known; anything else as it is. */
  canonical(room) {
    const other = room.startsWith('@') && !room.includes('+') ? room.slice(1) : null;
    return other === null || !this.user || other === this.user ? room : directRoom(this.user, other);
  }

  // ---- what a front end sends

  say(room, msg) {
    return this.send({ type: 'chat', room, msg });
  }

  typing(room) {
    return this.send({ type: 'typing', room });
  }

  /** Asks for up to `limit` messages of the room older than `before` (the newest ones without it). */
  history(room, before, limit = 50) {
    const frame = { type: 'history', room, limit };
    if (before !== undefined && before !== null) frame.before = before;
    return this.send(frame);
  }

  /** Asks for the room directory: the rooms with people in them. */
  directory() {
    return this.send({ type: 'rooms' });
  }

  /**
   * Says our name has read the room up to this id (the newest message shown): our other connections get a
   * 'read', the other person of a direct conversation a 'seen'. It counts against the server's rate like a
   * message: send it when the newest message shown changes, at most about once a second per room.
   */
  read(room, id) {
    return this.send({ type: 'read', room, id });
  }

  /** Asks for our name's rooms with their unread and mention counts; the answer is a 'rooms' with `mine: true`. */
  myRooms() {
    return this.send({ type: 'rooms', mine: true });
  }

  /** Replaces the text of one of our messages (its id); everyone gets an 'edit'. */
  edit(room, id, msg) {
    return this.send({ type: 'edit', room, id, msg });
  }

  /** Deletes one of our messages, or anyone's for a moderator; everyone gets a 'delete'. */
  delete(room, id) {
    return this.send({ type: 'delete', room, id });
  }

  /** Sets (on) or clears our reaction with one emoji on a message; everyone gets a 'reaction'. */
  react(room, id, emoji, on = true) {
    return this.send({ type: 'react', room, id, emoji, on });
  }

  /** Moderators: mutes a name in a room for `seconds` (null: until lifted; 0 lifts it), with a reason or none. */
  mute(room, user, seconds = null, reason = '') {
    return this.send(sanction('mute', room, user, seconds, reason));
  }

  /** Moderators: bans a name from a room, as mute does. */
  ban(room, user, seconds = null, reason = '') {
    return this.send(sanction('ban', room, user, seconds, reason));
  }

  /** Moderators: takes a name out of a room now; it may come back. */
  kick(room, user, reason = '') {
    return this.send(sanction('kick', room, user, null, reason));
  }

  // ---- what the server sends

  onMessage(event) {
    let frame;
    try { frame = JSON.parse(event.data); } catch { return; }  // the protocol is JSON: anything else is not ours
    if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) return;
    switch (frame.type) {
      case 'welcome': if (typeof frame.room !== 'string') this.onReady(frame); else this.onWelcome(frame); break;
      case 'chat': if (!this.onChat(frame)) return; break;
      case 'error': this.onError(frame); break;
      default: if (ENTRIES.has(frame.type) && !this.onChat(frame)) return; break;
    }
    this.emit('frame', frame);
    if (!(frame.type === 'welcome' && typeof frame.room !== 'string')) this.emit(frame.type, frame);
  }

  /** The connection's own welcome: who we are; then every room kept is asked for again. */
  onReady(frame) {
    this.attempt = 0;
    if (typeof frame.user === 'string') this.user = frame.user;
    this.moderator = frame.moderator === true;
    if (typeof frame.key === 'string') {
      this.key = frame.key;
      this.emit('key', frame.key);
    }
    // Keyed again by the canonical name: a direct conversation asked as @NAME before our name was known.
    this.subscriptions = new Map([...this.subscriptions].map(([room, entry]) => [this.canonical(room), entry]));
    this.asks = [...this.subscriptions.keys()];  // a new connection: a full credit, and every room asked again
    Object.assign(this, { credit: SUBSCRIBE_BURST, refilled: Date.now(), pace: SUBSCRIBE_EVERY_MS });
    this.sendAsks();
    this.emit('status', { state: 'online' });
    this.emit('ready', frame);                 // after the asks: a room subscribed by a listener is asked once
  }

  onWelcome(frame) {
    const room = String(frame.room);
    let entry = this.subscriptions.get(room);
    if (entry === undefined) {
      // @NAME answered under the name the server gives it (ours may differ in spelling from what we typed)
      const asked = [...this.subscriptions].find(([name, e]) => e.state === 'asked' && name.startsWith('@') && name !== room);
      if (asked === undefined) return;
      this.subscriptions.delete(asked[0]);
      entry = asked[1];
      this.subscriptions.set(room, entry);
    }
    const epoch = String(frame.epoch);
    frame.resumed = entry.epoch !== null;
    frame.seen = entry.epoch === epoch ? entry.lastId : 0;
    if (entry.epoch !== epoch) entry.lastId = 0; // ids of another sequence say nothing here
    entry.epoch = epoch;
    entry.state = 'in';
    if (typeof frame.key === 'string' && frame.key !== this.key) {
      this.key = frame.key;
      this.emit('key', frame.key);
    }
  }

  /**
   * Keeps where the room stands, for chat messages and the log's other entries alike; false for one already
   * delivered (a replay overlapping what was seen).
   */
  onChat(frame) {
    const entry = this.subscriptions.get(String(frame.room));
    if (entry === undefined) return true;      // a frame of a version-1 first room, or one left meanwhile
    const id = Number(frame.id);
    if (!(id > entry.lastId)) return false;
    entry.lastId = id;
    return true;
  }

  /** The server's pace is slower than ours: every subscribe sent and not answered is asked again, later. */
  slowDown(frame) {
    const waiting = [...this.subscriptions].filter(([, entry]) => entry.state === 'asked');
    if (waiting.length === 0) return;
    frame.retrying = true;
    const unanswered = waiting.filter(([, entry]) => entry.sent);
    if (unanswered.length === 0) return;      // the same burst of refusals: asked again already
    for (const [room, entry] of unanswered) {
      entry.sent = false;
      if (!this.asks.includes(room)) this.asks.push(room);
    }
    // One that was let in and whose welcome is still on its way gets already-subscribed: harmless.
    Object.assign(this, { credit: 0, refilled: Date.now(), pace: Math.min(this.pace * 2, SUBSCRIBE_SLOWEST_MS) });
    this.sendAsks();
  }

  onError(frame) {
    this.lastError = frame;
    if (frame.code === 'rate-limited') this.slowDown(frame);
    if (typeof frame.room !== 'string') return;
    // A refused subscribe: the server holds nothing of it, so neither do we (nor do we ask again on reconnect).
    const [room, entry] = [...this.subscriptions].find(([name, e]) => e.asked === frame.room || name === frame.room) ?? [];
    if (entry === undefined) return;
    if (REMOVALS.has(frame.code) || (entry.state === 'asked' && REFUSALS.has(frame.code))) {
      this.subscriptions.delete(room);
      frame.refused = true;                    // for the front end: this room is gone
      frame.removed = entry.state === 'in';    // ... after it was in it: a moderator's doing
    }
  }
}

/** A moderation frame; `seconds` null or undefined is left out (until lifted), a blank reason too. */
function sanction(type, room, user, seconds, reason) {
  const frame = { type, room, user };
  if (seconds !== null && seconds !== undefined) frame.seconds = seconds;
  if (typeof reason === 'string' && reason.trim()) frame.reason = reason.trim();
  return frame;
}
