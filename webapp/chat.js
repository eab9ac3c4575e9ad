// The chat page: one WebSocket per tab, speaking PROTOCOL.md version 1, with version 2's claimed names and refusals.
// Every value from the server reaches the DOM through textContent, never as HTML.

const NAME_KEY = 'chat.name';
const KEYS_KEY = 'chat.keys';    // localStorage: each name's key, from the welcome that claimed it
const KEY_PREFIX = 'key.';       // a name's key is offered beside chat.v1 as key.<KEY>, never in the URL
const KEY_SHAPE = /^[\w-]+$/;    // what the server issues (base64url); anything else cannot be a subprotocol
const TOKEN_KEY = 'chat.token';  // sessionStorage: this tab only, gone when it closes
const PROTOCOL = 'chat.v1';      // offered beside the token, so the server selects it and never echoes the token
// Three base64url parts: anything else is no JWT, and would make new WebSocket() throw as a subprotocol.
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;
const DEFAULT_ROOM = 'lobby';
const PING_MS = 25_000;          // well inside the server's 60 s idle timeout
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 30_000;
const TYPING_SHOWN_MS = 5_000;   // "is typing" lasts this long after the name's last typing frame
const TYPING_EVERY_MS = 1_000;   // the server relays one a second per name: sending more is waste
const MAX_ITEMS = 1000;          // keeps a tab left open for days from growing without bound
const BOTTOM_SLACK_PX = 40;
const TOP_SLACK_PX = 40;         // this near the top, older messages are asked for
const HISTORY_PAGE = 50;      // "at the bottom" despite sub-pixel scroll positions
// The server's rules: combining marks belong to letters in many scripts, but a name cannot start with one.
const NAME_CHARS = /^[\p{L}\p{M}\p{N} _.\-]+$/u;
const ROOM_RULE = /^[A-Za-z0-9_-]{1,64}$/;

const $ = (id) => document.getElementById(id);
const ui = {
  joinForm: $('join-form'), name: $('name'), room: $('room'),
  joinError: $('join-error'), roomError: $('room-error'),
  chatView: $('chat-view'), status: $('status'), roomName: $('room-name'), leave: $('leave'),
  messages: $('messages'), newMessages: $('new-messages'),
  users: $('users'), onlineCount: $('online-count'), online: $('online'),
  composer: $('composer'), input: $('input'), composerError: $('composer-error'),
  typing: $('typing'),
};

// Everything that lives across reconnects of one join, in one place.
const state = {
  me: null,            // our name; the server's spelling once a welcome arrived
  room: DEFAULT_ROOM,
  socket: null,
  joined: false,       // false after Leave: nothing may reconnect then
  epoch: null,         // the room's id sequence, from the last welcome
  lastId: 0,           // newest chat id seen in that epoch
  attempt: 0,          // reconnects since the last welcome, drives the backoff
  lastError: null,     // this socket's latest error frame: a refusal's words arrive just before its close
  token: null,         // a JWT from #token=, presented on every connect until the server refuses it
  lastSent: '',
  users: new Set(),
  typing: new Map(),   // name -> when its "is typing" ends (ms)
  typedAt: 0,          // when this page last said we are typing
  older: { loading: false, done: false }, // scrollback: a request on its way; nothing older is held
  scrollTop: 0,        // the list's last scroll position: only the reader scrolls it up
  timers: { ping: 0, retry: 0, countdown: 0, typing: 0 },
};

const collator = new Intl.Collator(undefined, { sensitivity: 'base' });
// Latin digits and a 23-hour clock so the YYYY-MM-DD HH:mm:ss shape holds in every locale.
const clock = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', numberingSystem: 'latn',
});

// ---- names, rooms and the address bar ----

/** The name to use, or an error sentence for the join form. */
function checkName(raw) {
  const name = raw.trim().normalize('NFC');
  const length = [...name].length;           // code points, as the server counts
  if (length < 3) return { error: 'Your name needs at least 3 characters.' };
  if (length > 32) return { error: 'Your name can have at most 32 characters.' };
  if (!NAME_CHARS.test(name) || /^\p{Mn}/u.test(name)) {
    return { error: 'Use only letters, digits, spaces, _ - and . in your name.' };
  }
  return { name };
}

function roomFromHash() {
  return new URLSearchParams(location.hash.slice(1)).get('room') ?? '';
}

/**
 * Moves a #token= from the address into this tab's storage: the hash never reaches the server,
 * and once out of the address it is neither bookmarked nor copied along with a room link.
 */
function takeTokenFromHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (token === null) return false;
  const room = params.get('room');
  history.replaceState(null, '', location.pathname + location.search
    + (room === null ? '' : '#room=' + encodeURIComponent(room)));
  storeToken(JWT_SHAPE.test(token) ? token : null);   // without one, the server says what is missing
  return true;
}

function showRoomInHash(room) {
  // replaceState: a room change is not worth a Back-button step, and it fires no hashchange.
  history.replaceState(null, '', '#room=' + encodeURIComponent(room));
}

function socketUrl() {
  // The page sits at CONTEXT/ or CONTEXT/index.html; the endpoint is CONTEXT/chat.
  const dir = location.pathname.replace(/[^/]*$/, '');
  const params = { user: state.me, room: state.room };
  if (state.epoch !== null) Object.assign(params, { since: state.lastId, epoch: state.epoch });
  const query = Object.entries(params)
    .map(([key, value]) => key + '=' + encodeURIComponent(value)).join('&');
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return scheme + '//' + location.host + dir + 'chat?' + query;
}

function storedName() {
  try { return localStorage.getItem(NAME_KEY); } catch { return null; } // storage may be disabled
}

function storedToken() {
  try { return sessionStorage.getItem(TOKEN_KEY); } catch { return null; }
}

function storeToken(token) {
  state.token = token;
  try {
    if (token === null) sessionStorage.removeItem(TOKEN_KEY); else sessionStorage.setItem(TOKEN_KEY, token);
  } catch { /* storage disabled: the token lasts as long as this page */ }
}

function storedKeys() {
  try { return JSON.parse(localStorage.getItem(KEYS_KEY) ?? '{}') ?? {}; } catch { return {}; }
}

/** The key this browser holds for a name, or null. */
function storedKey(name) {
  const key = name === null ? null : storedKeys()[name];
  return typeof key === 'string' && KEY_SHAPE.test(key) ? key : null;
}

function storeKey(name, key) {
  const keys = storedKeys();
  if (key === null) delete keys[name]; else keys[name] = key;
  try { localStorage.setItem(KEYS_KEY, JSON.stringify(keys)); } catch { /* not remembered past this page */ }
}

function storeName(name) {
  try {
    if (name === null) localStorage.removeItem(NAME_KEY); else localStorage.setItem(NAME_KEY, name);
  } catch { /* private mode: the name just is not remembered */ }
}

// ---- small view helpers ----

/** A new element holding plain text: the only way server values enter the page. */
function el(tag, className, text = '') {
  const element = document.createElement(tag);
  if (className) element.className = className;
  element.textContent = text;
  return element;
}

function showText(element, text) {
  element.textContent = text;
  element.hidden = !text;
}

function setStatus(stateName, text = stateName) {
  ui.status.dataset.state = stateName;
  ui.status.textContent = text;
}

function formatTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso ?? '');
  const p = Object.fromEntries(clock.formatToParts(date).map((part) => [part.type, part.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

function timeElement(iso) {
  const time = el('time', 'time', formatTime(iso));
  time.dateTime = String(iso ?? '');
  return time;
}

function initials(name) {
  const words = name.split(/[\s_.\-]+/u).filter(Boolean);
  const firstChar = (word) => word.match(/^.\p{M}*/u)[0];   // keep a letter's combining marks
  return words.slice(0, 2).map(firstChar).join('').toLocaleUpperCase() || '?';
}

function hue(name) {
  let hash = 2166136261;                      // FNV-1a: cheap, and the same name gets the same colour everywhere
  for (const ch of name) hash = Math.imul(hash ^ ch.codePointAt(0), 16777619);
  return Math.floor((hash >>> 0) / 2 ** 32 * 360);   // the high bits are the well-mixed ones
}

function avatar(name) {
  const element = el('span', 'avatar', initials(name));
  element.setAttribute('aria-hidden', 'true');              // the name is right next to it
  element.style.backgroundColor = `hsl(${hue(name)}, 50%, 33%)`; // CSSOM, allowed by the CSP
  return element;
}

// ---- the message list ----

function atBottom() {
  const list = ui.messages;
  return list.scrollHeight - list.scrollTop - list.clientHeight <= BOTTOM_SLACK_PX;
}

function scrollToBottom() {
  ui.messages.scrollTop = ui.messages.scrollHeight;
  ui.newMessages.hidden = true;
}

/** Appends one item; follows it only if the reader was already at the bottom (or wrote it). */
function append(item, follow = false) {
  const wasAtBottom = atBottom();
  ui.messages.append(item);
  while (ui.messages.childElementCount > MAX_ITEMS) ui.messages.firstElementChild.remove();
  if (wasAtBottom || follow) scrollToBottom(); else ui.newMessages.hidden = false;
}

function messageItem(frame) {
  const user = String(frame.user ?? '');
  const item = el('li', user === state.me ? 'message own' : 'message');
  item.dataset.id = String(frame.id);
  item.dataset.epoch = state.epoch;            // ids repeat across epochs (server restarts)
  item.append(avatar(user), el('span', 'name', user), timeElement(frame.dateTime),
    el('p', 'text', String(frame.msg ?? '')));
  return item;
}

function addMessage(frame) {
  append(messageItem(frame), String(frame.user ?? '') === state.me);
}

// ---- scrollback: older messages when the reader reaches the top ----

/** The id of the oldest message shown from the current epoch, or 0. */
function oldestShown() {
  for (const item of ui.messages.querySelectorAll('li.message')) {
    if (item.dataset.epoch === state.epoch) return Number(item.dataset.id);
  }
  return 0;
}

function onScroll() {
  const top = ui.messages.scrollTop;
  const up = top < state.scrollTop;            // the page itself only scrolls down, to follow new messages
  state.scrollTop = top;
  if (atBottom()) ui.newMessages.hidden = true;
  if (up && top <= TOP_SLACK_PX) loadOlder();
}

function loadOlder() {
  if (state.older.loading || state.older.done || state.epoch === null) return;
  const oldest = oldestShown();
  if (oldest === 1) { noOlder(); return; }
  if (oldest > 1 && send({ type: 'history', before: oldest, limit: HISTORY_PAGE })) state.older.loading = true;
}

/** Older messages, put above what is shown without moving it. */
function onHistory(frame) {
  state.older.loading = false;
  if (String(frame.room ?? '') !== state.room || !Array.isArray(frame.messages)) return;
  const oldest = oldestShown();
  const older = frame.messages.filter((m) => m && Number(m.id) < oldest).map(messageItem);
  const list = ui.messages;
  const before = list.scrollHeight;
  const first = list.querySelector('li.message');
  for (const item of older) list.insertBefore(item, first);
  list.scrollTop += list.scrollHeight - before;
  if (frame.more === false) noOlder();
}

function noOlder() {
  state.older.done = true;
  if (ui.messages.querySelector('li.notice.no-older')) return;
  const item = el('li', 'notice no-older');
  item.append(el('span', 'text', 'No older messages.'));
  const before = ui.messages.scrollHeight;
  ui.messages.prepend(item);
  ui.messages.scrollTop += ui.messages.scrollHeight - before;
}

function addNotice(kind, text, iso) {
  const item = el('li', 'notice ' + kind);
  item.append(el('span', 'text', text));
  if (iso) item.append(' ', timeElement(iso));
  append(item);
}

function renderUsers() {
  const names = [...state.users].sort(collator.compare);
  ui.users.replaceChildren(...names.map((name) => el('li', name === state.me ? 'me' : '', name)));
  ui.onlineCount.textContent = String(names.length);
}

// ---- server frames ----

const ERROR_WORDS = {
  'invalid-json': 'The server could not read that message.',
  'invalid-message': 'The server could not read that message.',
  'empty-message': 'Type a message first.',
  'message-too-long': 'That message is too long.',
  'invalid-user': 'That name cannot be used.',
  'invalid-query': 'The server refused this room.',
  'rate-limited': 'You are sending too fast; wait a moment.',
  'unauthorized': 'The server refused the connection.',
  'server-full': 'The server is full right now.',
  'room-limit': 'The server cannot open another room right now.',
  'unavailable': 'The chat cannot deliver messages right now; try again in a moment.',
};
// Refusals that drop what was typed: give the text back so it can be fixed and resent.
const GIVE_BACK = new Set(['message-too-long', 'rate-limited', 'unavailable']);
// Closes a retry cannot fix, by the 1008's reason (the error's code): the page says this and stops.
const FINAL_WORDS = {
  'unauthorized': 'This chat needs you to sign in: the server refused the connection (the token is missing, invalid or expired).',
  'invalid-query': 'The server refused to open this room.',
  'forbidden': 'This conversation is between two other people; you cannot join it.',
  'unknown-user': 'Nobody holds that name, so there is no conversation with them.',
  'rate-limited': 'The server disconnected you for sending too fast.',
};
// Refusals of the name itself: back to the join form, where another name can be typed.
const NAME_WORDS = {
  'invalid-user': 'That name cannot be used.',
  'name-taken': 'Someone else holds that name; choose another name.',
};

function onWelcome(frame) {
  const askedSince = state.epoch !== null;
  const hadSeen = state.lastId;
  if (String(frame.epoch) !== state.epoch) {
    state.epoch = String(frame.epoch);
    state.lastId = 0;                          // ids of another sequence say nothing here
    state.older = { loading: false, done: false };
  }
  state.older.loading = false;                 // an answer on the old socket never comes
  state.me = String(frame.user ?? state.me);
  if (typeof frame.key === 'string') storeKey(state.me, frame.key); // this name is ours: remember how to prove it
  state.room = String(frame.room ?? state.room);
  state.attempt = 0;
  state.users = new Set((frame.users ?? []).map(String));
  state.typing.clear();                        // a new connection: nobody is known to be typing
  renderTyping();
  ui.roomName.textContent = state.room;
  renderUsers();
  setStatus('online');
  showText(ui.composerError, '');
  // An empty room that retired also changes epoch; only a gap around real messages is worth a word.
  if (askedSince && frame.recovered === false && (hadSeen > 0 || frame.lastId > 0)) {
    addNotice('unrecovered', 'Some messages could not be recovered.');
  }
}

function onChat(frame) {
  const id = Number(frame.id);
  if (!(id > state.lastId)) return;            // a replay we already showed
  state.lastId = id;
  if (state.typing.delete(String(frame.user ?? ''))) renderTyping(); // they said it
  addMessage(frame);
}

/** Someone else is typing: shown for a few seconds, or until their message comes. */
function onTyping(frame) {
  if (String(frame.room ?? state.room) !== state.room) return;
  state.typing.set(String(frame.user ?? ''), Date.now() + TYPING_SHOWN_MS);
  renderTyping();
}

function renderTyping() {
  const now = Date.now();
  for (const [name, until] of state.typing) if (until <= now) state.typing.delete(name);
  const names = [...state.typing.keys()].sort(collator.compare);
  const words = names.length === 0 ? ''
    : names.length === 1 ? `${names[0]} is typing…`
    : names.length === 2 ? `${names[0]} and ${names[1]} are typing…`
    : 'Several people are typing…';
  showText(ui.typing, words);
  clearTimeout(state.timers.typing);
  if (names.length > 0) {
    state.timers.typing = setTimeout(renderTyping, Math.min(...state.typing.values()) - now);
  }
}

/** We type: the others hear of it, at most once a second. */
function onComposerInput() {
  showText(ui.composerError, '');
  if (ui.input.value.trim() && Date.now() - state.typedAt >= TYPING_EVERY_MS && send({ type: 'typing' })) {
    state.typedAt = Date.now();
  }
}

function onPresence(frame) {
  // A big room announces a crowd in one frame: `users` names them all, `user` the first.
  const names = (Array.isArray(frame.users) ? frame.users : [frame.user]).map((name) => String(name ?? ''));
  const joined = frame.type === 'join';
  for (const name of names) {
    if (joined) state.users.add(name); else state.users.delete(name);
  }
  renderUsers();
  const others = names.filter((name) => name !== state.me);
  if (others.length === 0) return;
  const who = others.length <= 3 ? others.join(', ') : `${others.slice(0, 3).join(', ')} and ${others.length - 3} more`;
  addNotice(frame.type, `${who} ${joined ? 'joined' : 'left'}`, frame.dateTime);
}

function onError(frame) {
  const code = String(frame.code ?? '');
  const detail = frame.msg ? ` (${frame.msg})` : '';
  state.lastError = { code, msg: String(frame.msg ?? '') };
  if (GIVE_BACK.has(code) && !ui.input.value) ui.input.value = state.lastSent;
  showText(ui.composerError, (ERROR_WORDS[code] ?? 'The server refused that.') + detail);
}

function onFrame(event) {
  let frame;
  try { frame = JSON.parse(event.data); } catch { return; }  // not ours to show; the protocol is JSON
  if (frame === null || typeof frame !== 'object') return;
  switch (frame.type) {
    case 'welcome': onWelcome(frame); break;
    case 'chat': onChat(frame); break;
    case 'typing': onTyping(frame); break;
    case 'history': onHistory(frame); break;
    case 'join': case 'leave': onPresence(frame); break;
    case 'error': onError(frame); break;
    default: break;                           // pong, and types of a later protocol version
  }
}

// ---- the connection ----

function clearTimers() {
  clearInterval(state.timers.ping);
  clearTimeout(state.timers.retry);
  clearInterval(state.timers.countdown);
}

function connect() {
  clearTimers();
  setStatus('connecting');
  state.lastError = null;
  // The token, or the name's key, rides in the subprotocol, never in the URL, so it stays out of access logs.
  const key = state.token ? null : storedKey(state.me);
  const protocols = state.token ? [PROTOCOL, state.token] : key ? [PROTOCOL, KEY_PREFIX + key] : [];
  const socket = new WebSocket(socketUrl(), protocols);
  state.socket = socket;
  // Events of a socket we already replaced (Leave, room change) must not touch the page.
  const current = (handler) => (event) => { if (state.socket === socket) handler(event); };
  socket.addEventListener('open', current(() => {
    state.timers.ping = setInterval(() => send({ type: 'ping' }), PING_MS);
  }));
  socket.addEventListener('message', current(onFrame));
  socket.addEventListener('close', current(onClose));
  // 'error' is always followed by 'close', which does the work.
}

function onClose(event) {
  clearTimers();
  state.socket = null;
  if (!state.joined) return;
  if (event.code === 1003) {
    stop('The page sent something the server does not accept (a binary frame). This is a bug in the page.');
  } else if (event.code === 1008) {
    onRefused(event.reason);
  } else {
    scheduleReconnect();                       // 1000, 1001, 1006, 1011, 1013...: the next try may work
  }
}

/** A 1008: the server said no for a reason a retry cannot change. */
function onRefused(reason) {
  // The reason is the error's code; an expired token closes with 'token expired' and no error frame.
  const code = reason === 'token expired' ? 'unauthorized' : reason || (state.lastError?.code ?? '');
  const said = state.lastError?.code === code ? state.lastError.msg : '';
  if (code === 'unauthorized') storeToken(null);  // presenting it again cannot help
  if (code === 'name-taken') storeKey(state.me, null); // a key that did not prove the name is worth nothing
  if (Object.hasOwn(NAME_WORDS, code)) {      // hasOwn: a reason such as 'constructor' is no code of ours
    showJoinForm(said && code === 'invalid-user' ? said : NAME_WORDS[code]);
    return;
  }
  const words = Object.hasOwn(FINAL_WORDS, code) ? FINAL_WORDS[code]
    : `The server refused the connection${reason ? ` (${reason})` : ''}.`;
  stop(said ? `${words} The server said: ${said}.` : words);
}

/** Stops for good: no timer left, the reason in the list, and Leave (then Join) to try once more. */
function stop(words) {
  state.joined = false;                        // nothing reconnects now: not the backoff, not 'online'
  clearTimers();
  setStatus('stopped', 'not connected');
  showText(ui.composerError, '');
  addNotice('refused', words);
  scrollToBottom();                            // the reason must be seen, wherever the reader was
}

function scheduleReconnect() {
  // Exponential backoff with jitter, so a restarted server is not hit by every tab at once.
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** state.attempt);
  const delay = ceiling / 2 + Math.random() * ceiling / 2;
  state.attempt += 1;
  const due = Date.now() + delay;
  const tick = () => setStatus('reconnecting', `reconnecting in ${Math.ceil((due - Date.now()) / 1000)} s`);
  tick();
  state.timers.countdown = setInterval(tick, 1000);
  state.timers.retry = setTimeout(connect, delay);
}

function send(frame) {
  if (state.socket?.readyState !== WebSocket.OPEN) return false;
  state.socket.send(JSON.stringify(frame));
  return true;
}

function disconnect() {
  state.joined = false;
  clearTimers();
  const socket = state.socket;
  state.socket = null;
  socket?.close(1000, 'left');
}

// ---- joining and leaving ----

function enterRoom(name, room) {
  disconnect();
  Object.assign(state, { me: name, room, joined: true, epoch: null, lastId: 0, attempt: 0,
    older: { loading: false, done: false }, scrollTop: 0 });
  state.users = new Set();
  storeName(name);
  showRoomInHash(room);
  ui.roomName.textContent = room;
  ui.messages.replaceChildren();
  renderUsers();
  showText(ui.composerError, '');
  ui.joinForm.hidden = true;
  ui.chatView.hidden = false;
  ui.leave.hidden = false;
  ui.input.focus();
  connect();
}

function showJoinForm(nameError = '') {
  disconnect();
  storeName(null);
  setStatus('offline');
  ui.chatView.hidden = true;
  ui.leave.hidden = true;
  ui.joinForm.hidden = false;
  ui.name.value = state.me ?? ui.name.value;
  ui.room.value = state.room === DEFAULT_ROOM ? '' : state.room;
  showText(ui.joinError, nameError);
  ui.name.setAttribute('aria-invalid', String(Boolean(nameError)));
  ui.name.focus();
}

function onJoinSubmit(event) {
  event.preventDefault();
  const checked = checkName(ui.name.value);
  const room = ui.room.value.trim() || DEFAULT_ROOM;
  const roomOk = ROOM_RULE.test(room);
  showText(ui.joinError, checked.error ?? '');
  showText(ui.roomError, roomOk ? '' : 'A room name is 1 to 64 of A-Z a-z 0-9 _ and -.');
  ui.name.setAttribute('aria-invalid', String(Boolean(checked.error)));
  ui.room.setAttribute('aria-invalid', String(!roomOk));
  if (checked.error) ui.name.focus(); else if (!roomOk) ui.room.focus(); else enterRoom(checked.name, room);
}

function onComposerSubmit(event) {
  event.preventDefault();
  const text = ui.input.value;
  if (!text.trim()) {
    showText(ui.composerError, 'Type a message first.');
  } else if (!send({ type: 'chat', msg: text })) {
    showText(ui.composerError, 'Not connected right now; your message is still here.');
  } else {
    state.lastSent = text;
    ui.input.value = '';
    showText(ui.composerError, '');
  }
  ui.input.focus();
}

function onComposerKey(event) {
  // isComposing: Enter also confirms an IME candidate (Japanese, Chinese...), which must not send.
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    ui.composer.requestSubmit();
  }
}

function onHashChange() {
  // A pasted #token= is for the next connection; alone, it says nothing about the room.
  if (takeTokenFromHash() && !roomFromHash()) return;
  // A pasted or clicked #room=... link moves an open chat to that room.
  const room = roomFromHash() || DEFAULT_ROOM;
  if (!state.joined) ui.room.value = room === DEFAULT_ROOM ? '' : room;
  else if (room !== state.room && ROOM_RULE.test(room)) enterRoom(state.me, room);
}

function start() {
  ui.joinForm.addEventListener('submit', onJoinSubmit);
  ui.composer.addEventListener('submit', onComposerSubmit);
  ui.input.addEventListener('keydown', onComposerKey);
  ui.input.addEventListener('input', onComposerInput);
  ui.leave.addEventListener('click', () => showJoinForm());
  ui.newMessages.addEventListener('click', () => { scrollToBottom(); ui.input.focus(); });
  ui.messages.addEventListener('scroll', onScroll);
  window.addEventListener('hashchange', onHashChange);
  // Back online: do not sit out the rest of a long backoff.
  window.addEventListener('online', () => { if (state.joined && !state.socket) connect(); });
  ui.online.open = matchMedia('(min-width: 48rem)').matches;   // a phone starts with the list folded
  state.token = storedToken();                // a reload keeps the tab's token; the address no longer has it
  takeTokenFromHash();

  const room = roomFromHash();
  ui.room.value = room === DEFAULT_ROOM ? '' : room;
  const remembered = storedName();
  const checked = remembered === null ? { error: 'none' } : checkName(remembered);
  if (!checked.error && ROOM_RULE.test(room || DEFAULT_ROOM)) {
    enterRoom(checked.name, room || DEFAULT_ROOM);
  } else {
    if (remembered !== null) ui.name.value = remembered;
    if (room && !ROOM_RULE.test(room)) showText(ui.roomError, 'The link names a room that cannot exist.');
    ui.name.focus();
  }
}

start();
