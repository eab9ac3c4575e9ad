// The chat page: one WebSocket per tab, speaking PROTOCOL.md version 2: claimed names, direct conversations and
// their notices, typing, scrollback and the room directory.
// Every value from the server reaches the DOM through textContent, never as HTML; links in messages are made
// with createElement, and only for what the URL parser reads as http: or https:.

const NAME_KEY = 'chat.name';
const KEYS_KEY = 'chat.keys';    // localStorage: each name's key, from the welcome that claimed it
const KEY_PREFIX = 'key.';       // a name's key is offered beside chat.v1 as key.<KEY>, never in the URL
const KEY_SHAPE = /^[\w-]+$/;    // what the server issues (base64url); anything else cannot be a subprotocol
const TOKEN_KEY = 'chat.token';  // sessionStorage: this tab only, gone when it closes
// localStorage, one entry per own name: the direct conversations this browser knows, with their unread counts.
const DIRECT_KEY_PREFIX = 'chat.direct.';
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
const ROOMS_KEPT = 20;           // rooms whose shown messages a tab keeps, so coming back loses and repeats nothing
const DIRECTS_KEPT = 50;         // direct conversations remembered per name, the most recent ones
const ROOMS_EVERY_MS = 30_000;   // the room directory is asked for again this often while connected
const TITLE = document.title;    // "(3) Chat" while hidden counts what came meanwhile
const BOTTOM_SLACK_PX = 40;
const TOP_SLACK_PX = 40;         // this near the top, older messages are asked for
const HISTORY_PAGE = 50;      // "at the bottom" despite sub-pixel scroll positions
// The server's rules: combining marks belong to letters in many scripts, but a name cannot start with one.
const NAME_CHARS = /^[\p{L}\p{M}\p{N} _.\-]+$/u;
const ROOM_RULE = /^[A-Za-z0-9_-]{1,64}$/;
const ROOM_ERROR = 'A room name is 1 to 64 of A-Z a-z 0-9 _ and -, or @ and a name to write to one person.';
// Only these become links; the URL parser still has the last word. < and > often wrap a URL in plain text.
const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>]+/giu;

const $ = (id) => document.getElementById(id);
const wide = matchMedia('(min-width: 48rem)');   // below it, one column, as in chat.css
const ui = {
  joinForm: $('join-form'), name: $('name'), room: $('room'),
  joinError: $('join-error'), roomError: $('room-error'),
  chatView: $('chat-view'), status: $('status'), roomName: $('room-name'), leave: $('leave'),
  messages: $('messages'), newMessages: $('new-messages'),
  users: $('users'), onlineCount: $('online-count'), online: $('online'),
  composer: $('composer'), input: $('input'), composerError: $('composer-error'),
  typing: $('typing'), notify: $('notify'),
  rooms: $('rooms'), roomList: $('room-list'), directList: $('direct-list'), directEmpty: $('direct-empty'),
  unreadTotal: $('unread-total'), roomForm: $('room-form'), roomOpen: $('room-open'), roomOpenError: $('room-open-error'),
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
  lastAsked: null,     // the type of the last frame sent that the server may refuse (not ping or typing)
  users: new Set(),
  typing: new Map(),   // name -> when its "is typing" ends (ms)
  typedAt: 0,          // when this page last said we are typing
  older: { loading: false, done: false }, // scrollback: a request on its way; nothing older is held
  scrollTop: 0,        // the list's last scroll position: only the reader scrolls it up
  lastGoodRoom: null,  // the last room a welcome let us into: where a refused room sends us back
  liveAfter: 0,        // ids above this are news to the reader, not the history shown on joining
  directory: [],       // the last rooms answer: [{ room, online }]
  directs: {},         // this page's copy of the direct conversations, for when storage is disabled
  unseen: 0,           // messages that came while the tab was hidden, counted in the title
  timers: { ping: 0, retry: 0, countdown: 0, typing: 0, rooms: 0 },
};

// Rooms visited in this tab, least recently shown first: their items, and where their id sequence stood.
const visited = new Map();

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
  // as the server: a name with a character that renders as nothing would pass for another
  if (/[\p{Default_Ignorable_Code_Point}\p{Cf}]/u.test(name)) return { error: 'Your name cannot hold invisible characters.' };
  const length = [...name].length;           // code points, as the server counts
  if (length < 3) return { error: 'Your name needs at least 3 characters.' };
  if (length > 32) return { error: 'Your name can have at most 32 characters.' };
  if (!NAME_CHARS.test(name) || /^\p{Mn}/u.test(name)) {
    return { error: 'Use only letters, digits, spaces, _ - and . in your name.' };
  }
  return { name };
}

/** The hash's parameters; a + stays a +, since it joins the two names of a direct conversation. */
function hashParams() {
  return new URLSearchParams(location.hash.slice(1).replaceAll('+', '%2B'));
}

function roomFromHash() {
  return hashParams().get('room') ?? '';
}

function isDirect(room) {
  return room.startsWith('@');
}

/** Orders names as the server does, by code point (not by UTF-16 unit, which differs past U+FFFF). */
function byCodePoint(a, b) {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const difference = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (difference !== 0) return difference;
  }
  return x.length - y.length;
}

/**
 * The room to connect to for a room typed or linked, or null when it cannot be one. A direct
 * conversation, @NAME or @A+B, comes out as the server names it, @A+B in code-point order, so
 * each conversation is kept under one name; without our name yet, @NAME stays as it is.
 */
function roomFor(raw, me) {
  if (ROOM_RULE.test(raw)) return raw;
  if (!isDirect(raw)) return null;
  const names = raw.slice(1).split('+').map((part) => checkName(part).name);
  if (names.length > 2 || names.includes(undefined)) return null;
  if (names.length === 1 && me === null) return '@' + names[0];
  const [first, second = me] = names;           // @Bob is our conversation with Bob
  if (first === second) return null;            // nobody has a conversation with themselves
  return '@' + [first, second].sort(byCodePoint).join('+');
}

/** The other person of one of our direct conversations, or null when the room is no such thing. */
function otherIn(room) {
  if (!isDirect(room)) return null;
  const names = room.slice(1).split('+');
  if (names.length !== 2) return null;
  return names[0] === state.me ? names[1] : names[1] === state.me ? names[0] : null;
}

/** Where a link to a room points; the page follows the hash (onHashChange). */
function roomHref(room) {
  return '#room=' + encodeURIComponent(room);   // + as %2B: a bare + would read as a space elsewhere
}

/**
 * Moves a #token= from the address into this tab's storage: the hash never reaches the server,
 * and once out of the address it is neither bookmarked nor copied along with a room link.
 */
function takeTokenFromHash() {
  const params = hashParams();
  const token = params.get('token');
  if (token === null) return false;
  const room = params.get('room');
  history.replaceState(null, '', location.pathname + location.search
    + (room === null ? '' : roomHref(room)));
  storeToken(JWT_SHAPE.test(token) ? token : null);   // without one, the server says what is missing
  return true;
}

function showRoomInHash(room) {
  // replaceState: a room change is not worth a Back-button step, and it fires no hashchange.
  history.replaceState(null, '', roomHref(room));
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

const asCount = (value) => (Number.isSafeInteger(value) && value > 0 ? value : 0);

/**
 * Our direct conversations as this browser knows them: room -> { unread, noticed (the id of the
 * last notice counted), at (last activity, ms) }. Read afresh each time, since other tabs of
 * ours count notices too; this page's own copy stands in when storage is disabled.
 */
function loadDirects() {
  try {
    const stored = JSON.parse(localStorage.getItem(DIRECT_KEY_PREFIX + state.me) ?? '{}');
    const directs = {};
    for (const [room, entry] of Object.entries(stored ?? {})) {
      if (otherIn(room) !== null) directs[room] = { unread: asCount(entry?.unread), noticed: asCount(entry?.noticed), at: asCount(entry?.at) };
    }
    return directs;
  } catch {
    return state.directs;
  }
}

/** Changes one conversation's entry (made if new) unless change returns false; says whether it did. */
function updateDirect(room, change) {
  const directs = loadDirects();
  const entry = directs[room] ?? { unread: 0, noticed: 0, at: 0 };
  if (change(entry) === false) return false;
  entry.at = Date.now();
  directs[room] = entry;
  state.directs = Object.fromEntries(Object.entries(directs).sort(([, a], [, b]) => b.at - a.at).slice(0, DIRECTS_KEPT));
  try {
    localStorage.setItem(DIRECT_KEY_PREFIX + state.me, JSON.stringify(state.directs));
  } catch { /* remembered for as long as this page is open */ }
  renderDirects();
  return true;
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
  const text = String(frame.msg ?? '');
  const kind = user === state.me ? 'message own' : mentionsMe(text) ? 'message mention' : 'message';
  const item = el('li', kind);
  item.dataset.id = String(frame.id);
  item.dataset.epoch = state.epoch;            // ids repeat across epochs (server restarts)
  item.append(avatar(user), el('span', 'name', user), timeElement(frame.dateTime), messageText(text));
  return item;
}

/** The text as text nodes, with its http: and https: URLs as links; nothing in it is read as HTML. */
function messageText(text) {
  const paragraph = el('p', 'text');
  let shown = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const url = withoutTrailingPunctuation(match[0]);
    const link = linkTo(url);
    if (link === null) continue;
    paragraph.append(text.slice(shown, match.index), link);
    shown = match.index + url.length;
  }
  paragraph.append(text.slice(shown));
  return paragraph;
}

/** "See https://example.com/a." links the URL, not the full stop; a ) stays when the URL opened one (wikis). */
function withoutTrailingPunctuation(candidate) {
  let url = candidate;
  const unbalanced = () => url.split('(').length < url.split(')').length;
  while (/[.,;:!?'"]$/u.test(url) || (url.endsWith(')') && unbalanced())) url = url.slice(0, -1);
  return url;
}

/** A link that opens in a new tab and tells the target nothing, or null for anything but http: and https:. */
function linkTo(text) {
  let url;
  try { url = new URL(text); } catch { return null; }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const link = el('a', 'link', text);
  link.href = url.href;                        // the parser's spelling of it, never the raw text
  link.target = '_blank';
  link.rel = 'noopener noreferrer';
  return link;
}

let mention = { name: null, pattern: null };

/** Whether the text names us as a whole word, in any case: "@Ann" and "Ann," do, "Annabel" does not. */
function mentionsMe(text) {
  if (!state.me) return false;
  if (mention.name !== state.me) {
    const escaped = state.me.replace(/[.*+?^${}()|[\]\\/]/gu, '\\$&');   // names may hold a .
    const word = '[\\p{L}\\p{M}\\p{N}_]';
    mention = { name: state.me, pattern: new RegExp(`(?<!${word})${escaped}(?!${word})`, 'iu') };
  }
  return mention.pattern.test(text);
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

/** The online list; each other name is a link to our direct conversation with them. */
function renderUsers() {
  const names = [...state.users].sort(collator.compare);
  ui.users.replaceChildren(...names.map(personItem));
  ui.onlineCount.textContent = String(names.length);
  renderRooms();                               // the shown room's count is this list's
}

function personItem(name) {
  if (name === state.me) return el('li', 'me', name);
  const room = roomFor('@' + name, state.me);
  const item = el('li');
  if (room === null) { item.textContent = name; return item; }  // a name the server let by but the page would refuse
  const link = el('a', 'person', name);
  link.href = roomHref(room);
  link.title = `Write to ${name} directly`;
  item.append(link);
  return item;
}

// ---- the room list: rooms with people, and our direct conversations ----

/** One entry: a link the page follows through the hash, marked when it is the room shown. */
function roomItem(room, label, badge, description) {
  const link = el('a', 'room-link');
  link.href = roomHref(room);
  link.setAttribute('aria-label', description);   // the badge alone would be read as a bare number
  link.append(el('span', 'label', label));
  if (badge !== null) link.append(badge);
  if (room === state.room) link.setAttribute('aria-current', 'page');
  const item = el('li');
  item.append(link);
  return item;
}

function renderRooms() {
  // The shown room counts what its online list shows, which is fresher than the last answer.
  const rooms = state.directory.map(({ room, online }) => ({ room, online: room === state.room ? state.users.size : online }));
  if (!isDirect(state.room) && !rooms.some(({ room }) => room === state.room)) {
    rooms.push({ room: state.room, online: state.users.size });   // asked before we were in it
  }
  ui.roomList.replaceChildren(...rooms.map(({ room, online }) =>
    roomItem(room, room, el('span', 'count', String(online)), `${room}, ${online} online`)));
}

function renderDirects() {
  if (state.me === null) return;
  const directs = Object.entries(loadDirects()).sort(([, a], [, b]) => b.at - a.at);
  let unread = 0;
  ui.directList.replaceChildren(...directs.map(([room, entry]) => {
    const other = otherIn(room);
    const shown = room === state.room ? 0 : entry.unread;   // what is on the screen is read
    unread += shown;
    const badge = shown > 0 ? el('span', 'unread', String(shown)) : null;
    return roomItem(room, other, badge, shown > 0 ? `${other}, ${shown} unread` : other);
  }));
  ui.directEmpty.hidden = directs.length > 0;
  ui.unreadTotal.replaceChildren(String(unread), el('span', 'visually-hidden', ' unread'));
  ui.unreadTotal.hidden = unread === 0;         // shown on the folded list too, as on a phone
}

/** Opens the conversation in our list of them, with nothing unread. */
function markDirectRead(room) {
  updateDirect(room, (entry) => { entry.unread = 0; });
}

function requestRooms() {
  send({ type: 'rooms' });                     // nothing while not connected: the next welcome asks
}

function onRooms(frame) {
  if (!Array.isArray(frame.rooms)) return;
  state.directory = frame.rooms
    .filter((entry) => typeof entry?.room === 'string' && ROOM_RULE.test(entry.room))
    .map((entry) => ({ room: entry.room, online: asCount(entry.online) }));
  renderRooms();
}

/** A message in one of our direct conversations while this page is elsewhere. */
function onNotice(frame) {
  const room = String(frame.room ?? '');
  const id = Number(frame.id);
  if (otherIn(room) === null || room === state.room) return;
  // Each tab of ours gets the notice; the first to count it keeps the others from counting it again.
  const counted = updateDirect(room, (entry) => {
    if (id === entry.noticed) return false;
    entry.unread += 1;
    entry.noticed = id;
    return true;
  });
  countUnseen();
  if (counted) notifyDesktop(String(frame.user ?? ''), String(frame.msg ?? ''), room);
}

function onRoomOpenSubmit(event) {
  event.preventDefault();
  const room = roomFor(ui.roomOpen.value.trim(), state.me);
  showText(ui.roomOpenError, room === null ? ROOM_ERROR : '');
  ui.roomOpen.setAttribute('aria-invalid', String(room === null));
  if (room === null) { ui.roomOpen.focus(); return; }
  ui.roomOpen.value = '';
  location.hash = roomHref(room);              // a step Back can undo, like a click on a room link
}

// ---- keeping each room's view for coming back ----

/** Puts the shown room's items and id sequence aside, so coming back shows them and asks only for what is new. */
function keepView() {
  if (state.epoch === null && ui.messages.childElementCount === 0) return;   // never got in: nothing to keep
  visited.delete(state.room);                  // re-inserted: the Map's order is the order of use
  visited.set(state.room, {
    items: [...ui.messages.children], epoch: state.epoch, lastId: state.lastId,
    older: { loading: false, done: state.older.done },  // an answer on the closed socket never comes
    scrollTop: atBottom() ? null : ui.messages.scrollTop,
  });
  while (visited.size > ROOMS_KEPT) visited.delete(visited.keys().next().value);
}

/** Shows what was kept of a room (nothing for a new one); its since/epoch go into the next connect. */
function restoreView(room) {
  const kept = visited.get(room);
  visited.delete(room);                        // shown now; kept again when left
  Object.assign(state, { epoch: kept?.epoch ?? null, lastId: kept?.lastId ?? 0,
    older: kept?.older ?? { loading: false, done: false } });
  ui.messages.replaceChildren(...(kept?.items ?? []));
  if (kept?.scrollTop == null) scrollToBottom(); else ui.messages.scrollTop = kept.scrollTop;
  ui.newMessages.hidden = true;
  state.scrollTop = ui.messages.scrollTop;
}

// ---- while the tab is hidden: the title counts, and direct messages notify ----

function countUnseen() {
  if (!document.hidden) return;
  state.unseen += 1;
  document.title = `(${state.unseen}) ${TITLE}`;
}

function onVisibilityChange() {
  if (document.hidden) return;
  state.unseen = 0;
  document.title = TITLE;
}

function notificationsAllowed() {
  return 'Notification' in window && Notification.permission === 'granted';
}

/** A desktop notification for a direct message, only while the tab is hidden; a click opens the conversation. */
function notifyDesktop(user, msg, room) {
  if (!document.hidden || !notificationsAllowed()) return;
  const notification = new Notification(user, { body: msg, tag: room });  // one per conversation, the newest
  notification.addEventListener('click', () => {
    window.focus();
    if (room !== state.room) location.hash = roomHref(room);
    notification.close();
  });
}

/** The button is there only while the browser would still ask; asking on load would be refused by most people. */
function renderNotifyButton() {
  ui.notify.hidden = ui.chatView.hidden || !('Notification' in window) || Notification.permission !== 'default';
}

function onNotifyClick() {
  Notification.requestPermission().then(renderNotifyButton, renderNotifyButton);
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
  'forbidden': 'That conversation is between two other people.',
  'unknown-user': 'Nobody holds that name.',
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
// Refusals of one room: the page goes back to the last room it was in, and says why there.
const ROOM_REFUSALS = new Set(['forbidden', 'unknown-user', 'invalid-query']);
// Refusals of the name itself: back to the join form, where another name can be typed.
const NAME_WORDS = {
  'invalid-user': 'That name cannot be used.',
  'name-taken': 'Someone else holds that name; choose another name.',
};

function onWelcome(frame) {
  const askedSince = state.epoch !== null;
  const hadSeen = state.lastId;
  const sameEpoch = String(frame.epoch) === state.epoch;
  if (!sameEpoch) {
    state.epoch = String(frame.epoch);
    state.lastId = 0;                          // ids of another sequence say nothing here
    state.older = { loading: false, done: false };
  }
  // What was missed since we last saw the room is news; the recent history of a first visit is not.
  state.liveAfter = sameEpoch ? hadSeen : asCount(Number(frame.lastId));
  state.older.loading = false;                 // an answer on the old socket never comes
  state.me = String(frame.user ?? state.me);
  if (typeof frame.key === 'string') storeKey(state.me, frame.key); // this name is ours: remember how to prove it
  state.room = String(frame.room ?? state.room);
  state.lastGoodRoom = state.room;
  if (roomFromHash() !== state.room) showRoomInHash(state.room);   // @Bob is shown as the server names it, @Ann+Bob
  state.attempt = 0;
  state.users = new Set((frame.users ?? []).map(String));
  state.typing.clear();                        // a new connection: nobody is known to be typing
  renderTyping();
  ui.roomName.textContent = state.room;
  renderUsers();
  if (otherIn(state.room) !== null) markDirectRead(state.room); else renderDirects();
  setStatus('online');
  showText(ui.composerError, '');
  requestRooms();
  state.timers.rooms = setInterval(requestRooms, ROOMS_EVERY_MS);
  // An empty room that retired also changes epoch; only a gap around real messages is worth a word.
  if (askedSince && frame.recovered === false && (hadSeen > 0 || frame.lastId > 0)) {
    addNotice('unrecovered', 'Some messages could not be recovered.');
  }
}

function onChat(frame) {
  const id = Number(frame.id);
  if (!(id > state.lastId)) return;            // a replay we already showed
  state.lastId = id;
  const user = String(frame.user ?? '');
  if (state.typing.delete(user)) renderTyping(); // they said it
  addMessage(frame);
  if (user !== state.me && id > state.liveAfter) onNews(user, String(frame.msg ?? ''));
}

/** Someone else said something new here: the title counts it while hidden, and a direct message notifies. */
function onNews(user, msg) {
  countUnseen();
  if (otherIn(state.room) !== null) notifyDesktop(user, msg, state.room);
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
  // Only a refused chat gives its text back: a refused rooms or history request never took any.
  if (GIVE_BACK.has(code) && state.lastAsked === 'chat' && !ui.input.value) ui.input.value = state.lastSent;
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
    case 'rooms': onRooms(frame); break;
    case 'notice': onNotice(frame); break;
    case 'error': onError(frame); break;
    default: break;                           // pong, and types of a later protocol version
  }
}

// ---- the connection ----

function clearTimers() {
  clearInterval(state.timers.ping);
  clearInterval(state.timers.rooms);
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
  const sentence = said ? `${words} The server said: ${said}.` : words;
  const back = state.lastGoodRoom;
  if (ROOM_REFUSALS.has(code) && back !== null && back !== state.room) {
    enterRoom(state.me, back);                 // that room let us in before; a refusal of it stops for good
    addNotice('refused', `${sentence} Back in ${back}.`);
    return;
  }
  stop(sentence);
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
  if (frame.type !== 'ping' && frame.type !== 'typing') state.lastAsked = frame.type;
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

/** Shows a room, what this tab kept of it included, and connects to it for what is new. */
function enterRoom(name, room) {
  if (!ui.chatView.hidden) leaveRoom();
  disconnect();
  Object.assign(state, { me: name, room, joined: true, attempt: 0 });
  state.users = new Set();
  storeName(name);
  showRoomInHash(room);
  ui.roomName.textContent = room;
  ui.joinForm.hidden = true;
  ui.chatView.hidden = false;                  // before the restore: a hidden list cannot be scrolled
  ui.leave.hidden = false;
  restoreView(room);
  renderUsers();
  renderDirects();
  renderNotifyButton();
  showText(ui.composerError, '');
  if (!wide.matches) ui.rooms.open = false;    // a phone shows the room chosen, not the list it came from
  ui.input.focus();
  connect();
}

/** The room shown is left for another: kept for coming back, and a conversation left is read. */
function leaveRoom() {
  keepView();
  if (otherIn(state.room) !== null && state.epoch !== null) markDirectRead(state.room);
}

function showJoinForm(nameError = '') {
  disconnect();
  storeName(null);
  setStatus('offline');
  visited.clear();                             // another name may join next: nothing of this one's is shown
  Object.assign(state, { lastGoodRoom: null, directory: [], directs: {} });
  ui.chatView.hidden = true;
  ui.leave.hidden = true;
  renderNotifyButton();
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
  const room = roomFor(ui.room.value.trim() || DEFAULT_ROOM, checked.name ?? null);
  showText(ui.joinError, checked.error ?? '');
  showText(ui.roomError, room === null ? ROOM_ERROR : '');
  ui.name.setAttribute('aria-invalid', String(Boolean(checked.error)));
  ui.room.setAttribute('aria-invalid', String(room === null));
  if (checked.error) ui.name.focus(); else if (room === null) ui.room.focus(); else enterRoom(checked.name, room);
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
  // A pasted or clicked #room=... link moves an open chat to that room, even one that stopped.
  const asked = roomFromHash() || DEFAULT_ROOM;
  if (ui.chatView.hidden) { ui.room.value = asked === DEFAULT_ROOM ? '' : asked; return; }
  const room = roomFor(asked, state.me);
  if (room !== null && room !== state.room) enterRoom(state.me, room);
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
  ui.roomForm.addEventListener('submit', onRoomOpenSubmit);
  ui.roomOpen.addEventListener('input', () => showText(ui.roomOpenError, ''));
  ui.notify.addEventListener('click', onNotifyClick);
  document.addEventListener('visibilitychange', onVisibilityChange);
  window.addEventListener('focus', requestRooms);  // back from elsewhere: the list may be old
  // Another tab of ours counted a notice or read a conversation.
  window.addEventListener('storage', (event) => { if (event.key === DIRECT_KEY_PREFIX + state.me) renderDirects(); });
  ui.online.open = wide.matches;               // a phone starts with the lists folded
  ui.rooms.open = wide.matches;
  state.token = storedToken();                // a reload keeps the tab's token; the address no longer has it
  takeTokenFromHash();

  const room = roomFromHash();
  ui.room.value = room === DEFAULT_ROOM ? '' : room;
  const remembered = storedName();
  const checked = remembered === null ? { error: 'none' } : checkName(remembered);
  const target = roomFor(room || DEFAULT_ROOM, checked.name ?? null);
  if (!checked.error && target !== null) {
    enterRoom(checked.name, target);
  } else {
    if (remembered !== null) ui.name.value = remembered;
    if (target === null) showText(ui.roomError, 'The link names a room that cannot exist.');
    ui.name.focus();
  }
}

start();
