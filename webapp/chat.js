// The chat page on protocol version 3: one WebSocket (chat-client.js) for every room the page shows. The rooms
// of our name stay in the list, each with its online count, its unread count and a mark when a message there
// names you; switching between them is instant and tells nobody, since all of them stay subscribed. Direct
// conversations are rooms on the same socket. The list and its counts are the server's "my rooms", kept per
// name, so every device of a name shows the same: the page tells the server how far it has read (the newest
// message in sight), and hears when another device of ours read further.
// Every value from the server reaches the DOM through textContent, never as HTML; links in messages are made
// with createElement, and only for what the URL parser reads as http: or https:.

import { ChatClient, applyEntry, directRoom } from './chat-client.js';
import { continues, dayLabel, sameDay } from './days.js';

const NAME_KEY = 'chat.name';
const KEYS_KEY = 'chat.keys';    // localStorage: each name's key, from the welcome that claimed it
const KEY_SHAPE = /^[\w-]+$/;    // what the server issues (base64url); anything else cannot be a subprotocol
const TOKEN_KEY = 'chat.token';  // sessionStorage: this tab only, gone when it closes
// localStorage, per own name: the rooms and direct conversations the pages before "my rooms" kept in the
// browser (issue 23's list, and the version-2 page's conversations). Entered once, so that the server lists
// them from then on, and removed.
const ROOMS_KEY_PREFIX = 'chat.rooms.';
const OLD_DIRECT_KEY_PREFIX = 'chat.direct.';
// Three base64url parts: anything else is no JWT, and would make new WebSocket() throw as a subprotocol.
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;
const DEFAULT_ROOM = 'lobby';
// Beside the page: how a connection proves who it is, and where the page gets a token (PROTOCOL.md, "The page's
// config"). Without it (an older server), names are claimed as before.
const CONFIG_PATH = 'chat-config.json';
const REFRESH_BEFORE_MS = 60_000;  // a new token this long before the old one's exp; half way for a shorter life
// The token URL failing otherwise than 401/403 (down, or no token in its answer): asked again this much later,
// slower each time; it is never asked in a loop.
const TOKEN_RETRY_MS = [5_000, 15_000, 60_000];
const RENEW_AT_MOST_EVERY_MS = 10_000;  // a token that is refused or runs out sooner is not fetched again at once
const SIGNED_OUT = 'signed-out';   // what fetchToken() says for 401 and 403
const TYPING_SHOWN_MS = 5_000;   // "is typing" lasts this long after the name's last typing frame
const TYPING_EVERY_MS = 1_000;   // the server relays one a second per name: sending more is waste
const LONG_PRESS_MS = 500;       // a touch held this long on a message unfolds its actions, as "⋯" does
const LONG_PRESS_SLOP_PX = 10;   // moving further than this is a scroll or a selection, not a press
const MAX_ITEMS = 1000;          // per room: keeps a tab left open for days from growing without bound
// Of our name's rooms (the server keeps 200), the most recently active ones are entered: together below the
// server's default of 100 rooms per connection.
const ROOMS_KEPT = 40;
const DIRECTS_KEPT = 50;
const READ_EVERY_MS = 1_000;     // a read counts against the rate limit: one a second per room at most (PROTOCOL.md)
const MINE_AGAIN_MS = 500;       // rooms entered together are asked about in one "my rooms"
const UNREAD_SHOWN_MAX = 99;     // "99+" beyond
const ROOMS_EVERY_MS = 30_000;   // the room directory is asked for again this often while connected
const RECENT_MS = 2_000;         // an error this soon after a message may be about it
const TITLE = document.title;    // "(3) Chat" while hidden counts what came meanwhile
const BOTTOM_SLACK_PX = 40;      // "at the bottom" despite sub-pixel scroll positions
const TOP_SLACK_PX = 40;         // this near the top, older messages are asked for
const HISTORY_PAGE = 50;
const ANNOUNCED_KEPT = 3;        // the polite region holds the last few lines: a burst is read, not lost
const FOLD_MS = 10_000;          // joins and leaves this soon after a presence line fold into it
const MAX_MESSAGE_CHARS = 2_000; // the server's default, until chat-config.json says its own (maxMessageChars)
const COUNT_FROM_LEFT = 200;     // the counter shows this near the limit, or within a tenth of it if nearer
// The server's rules: combining marks belong to letters in many scripts, but a name cannot start with one.
const NAME_CHARS = /^[\p{L}\p{M}\p{N} _.\-]+$/u;
const ROOM_RULE = /^[A-Za-z0-9_-]{1,64}$/;
const ROOM_ERROR = 'A room name is 1 to 64 of A-Z a-z 0-9 _ and -, or @ and a name to write to one person.';
// Only these become links; the URL parser still has the last word. < and > often wrap a URL in plain text.
const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>]+/giu;
const QUICK_EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢'];   // one click each; any other is typed
// What a moderator may choose for a mute or a ban: seconds, '' for until lifted.
const DURATIONS = [['600', '10 minutes'], ['3600', '1 hour'], ['86400', '1 day'], ['604800', '1 week'], ['', 'until lifted']];

const $ = (id) => document.getElementById(id);
const wide = matchMedia('(min-width: 48rem)');   // below it, one column, as in chat.css
const ui = {
  joinForm: $('join-form'), name: $('name'), room: $('room'),
  signIn: $('sign-in'), signInText: $('sign-in-text'), signInLink: $('sign-in-link'), signedIn: $('signed-in'), me: $('me'),
  joinError: $('join-error'), roomError: $('room-error'),
  chatView: $('chat-view'), status: $('status'), roomName: $('room-name'), roomKind: $('room-kind'), peer: $('peer'),
  leave: $('leave'),
  messages: $('messages'), newMessages: $('new-messages'), announcer: $('announcer'), skip: $('skip'),
  users: $('users'), onlineCount: $('online-count'), online: $('online'),
  composer: $('composer'), input: $('input'), composerError: $('composer-error'), counter: $('counter'),
  typing: $('typing'), notify: $('notify'),
  connection: $('connection'), connectionSaid: $('connection-said'), connectionWhen: $('connection-when'), retryNow: $('retry-now'),
  rooms: $('rooms'), roomList: $('room-list'), directList: $('direct-list'), directEmpty: $('direct-empty'),
  moreHeading: $('more-heading'), moreList: $('more-list'),
  otherDevice: $('other-device'), deviceDialog: $('device-dialog'), deviceName: $('device-name'),
  deviceLink: $('device-link'), deviceCopy: $('device-copy'), deviceClose: $('device-close'), deviceCopied: $('device-copied'),
  unreadTotal: $('unread-total'), roomForm: $('room-form'), roomOpen: $('room-open'), roomOpenError: $('room-open-error'),
};

// Everything that lives across reconnects of one join, in one place.
const state = {
  me: null,            // our name; the server's spelling once the connection's welcome arrived
  room: DEFAULT_ROOM,  // the room shown
  client: null,        // the connection, for as long as the chat is joined
  joined: false,       // false after Sign out or a refusal: nothing may reconnect then
  token: null,         // a JWT from #token= or CHAT_TOKEN_URL, presented on every connect until the server refuses it
  auth: 'names',       // from chat-config.json: 'names' (claimed with a key), 'token', or 'container'
  tokenUrl: null,      // where a token comes from (with the browser's cookies), when the server wants one
  loginUrl: null,      // where someone the token URL does not know is sent; only http(s) or a path of this site
  renewing: false,     // an auth frame went and is not answered yet: an unauthorized now is its refusal
  renewedAt: 0,        // when the page last fetched a token because one was refused or ran out (ms)
  lastAsked: null,     // the type of the last frame sent that the server may refuse (not ping or typing)
  moderator: false,    // the connection's welcome said this name moderates every room
  sentAt: 0,           // when the last chat message went (ms)
  typedAt: 0,          // when this page last said we are typing
  scrollTop: 0,        // the list's last scroll position: only the reader scrolls it up
  stuck: true,         // the reader is at the bottom of the list: it stays there through resizes
  anchor: null,        // scrolled up: { item, offset } of the item at the top of the list, kept through resizes
  lastGoodRoom: null,  // the last room shown that let us in: where a refused room sends us back
  directory: [],       // the last rooms answer: [{ room, online }]
  forgotten: new Set(),// rooms closed here: an answer of "my rooms" on its way may still list them
  unseen: 0,           // messages that came while the tab was hidden, counted in the title
  maxChars: MAX_MESSAGE_CHARS, // code points a message may have, from chat-config.json
  lost: false,         // a connection attempt failed, or the connection dropped, since the page was last online
  connection: 0,       // counts the connections that came online: a message sent on an earlier one may be lost
  timers: { countdown: 0, typing: 0, rooms: 0, mine: 0, refresh: 0 },
};

/**
 * The rooms this page is in, the one shown included: what each shows and where its id sequence stands.
 * The shown room's items are in #messages; the others' wait in `items`, so a switch moves them, nothing more.
 */
const views = new Map();

const collator = new Intl.Collator(undefined, { sensitivity: 'base' });
// Shown beside a message: hours and minutes as the reader's locale writes them.
const shortTime = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
// The full time, on hover (title) and to screen readers: Latin digits and a 23-hour clock so the
// YYYY-MM-DD HH:mm:ss shape holds in every locale.
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
  return directRoom(first, second);
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

/**
 * A link made by "Use this name on another device" (#name=NAME&key=KEY): the name and its key move into this
 * browser's storage and leave the address at once (neither bookmarked nor kept in the history); the page then
 * joins under that name as it would under a remembered one.
 */
function takeNameFromHash() {
  const params = hashParams();
  const [name, key] = [params.get('name'), params.get('key')];
  if (name === null && key === null) return false;
  const room = params.get('room');
  history.replaceState(null, '', location.pathname + location.search + (room === null ? '' : roomHref(room)));
  const checked = checkName(name ?? '');
  if (checked.name !== undefined && key !== null && KEY_SHAPE.test(key)) {
    storeKey(checked.name, key);
    storeName(checked.name);
  }
  return true;
}

/** The link that takes our name, with its key, to another browser; only when the name has a key (no sign-in). */
function deviceLink() {
  const key = namedElsewhere() || state.token ? null : storedKey(state.me);
  if (key === null) return null;
  // the room shown too: the other device opens where this one is
  return `${location.origin}${location.pathname}${roomHref(state.room ?? DEFAULT_ROOM)}&name=${encodeURIComponent(state.me)}&key=${key}`;
}

function renderOtherDevice() {
  ui.otherDevice.hidden = ui.chatView.hidden || deviceLink() === null;
}

/** Shows the link once, with its warning; closing the dialog takes it out of the page. */
function showDeviceLink() {
  const link = deviceLink();
  if (link === null) return;
  ui.deviceName.textContent = state.me;
  ui.deviceLink.value = link;
  showText(ui.deviceCopied, '');
  ui.deviceDialog.showModal();
  ui.deviceLink.select();
}

async function copyDeviceLink() {
  ui.deviceLink.select();
  try {
    await navigator.clipboard.writeText(ui.deviceLink.value);
    showText(ui.deviceCopied, 'Copied.');
  } catch {
    // an http: page has no clipboard API: the link is selected, for the keyboard's copy
    showText(ui.deviceCopied, 'Press Ctrl+C (or ⌘C) to copy the selected link.');
  }
}

function showRoomInHash(room) {
  // replaceState: a room change is not worth a Back-button step, and it fires no hashchange.
  history.replaceState(null, '', roomHref(room));
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
 * The rooms the pages before "my rooms" listed in this browser for our name (room names only), removed from
 * storage as they are read: the page enters them once, which makes them our name's rooms on the server.
 */
function takeOverStoredRooms() {
  const rooms = [];
  for (const prefix of [ROOMS_KEY_PREFIX, OLD_DIRECT_KEY_PREFIX]) {
    try {
      const stored = JSON.parse(localStorage.getItem(prefix + state.me) ?? '{}') ?? {};
      localStorage.removeItem(prefix + state.me);
      // issue 23's list is an object (room -> entry, `at` its last activity); the version-2 one an array
      const entries = Array.isArray(stored) ? stored.map((room) => [room, 0])
        : Object.entries(stored).map(([room, entry]) => [room, asCount(entry?.at)]);
      rooms.push(...entries.sort(([, a], [, b]) => b - a).map(([room]) => room));
    } catch { /* storage disabled or unreadable: nothing to take over */ }
  }
  return rooms.filter((room) => typeof room === 'string' && (ROOM_RULE.test(room) || otherIn(room) !== null));
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

/** The time, short (18:49, or 6:49 PM); the full date and time on hover. */
function timeElement(iso) {
  const date = new Date(iso);
  const time = el('time', 'time', Number.isNaN(date.getTime()) ? String(iso ?? '') : shortTime.format(date));
  time.dateTime = String(iso ?? '');
  time.title = formatTime(iso);                // (no aria-label: not allowed on a <time>; ⋯ says it to the keyboard)
  return time;
}

/** When an item of the list happened (ms), for its day and its run; items without a time are not dated. */
function dated(item, iso) {
  const at = Date.parse(iso);
  if (Number.isFinite(at)) item.dataset.at = String(at);
  return item;
}

function daySeparator(at) {
  const item = el('li', 'day');
  item.dataset.day = String(at);               // relabelled when "Today" becomes "Yesterday"
  item.append(el('span', '', dayLabel(at)));
  return item;
}

/** At midnight, and when the tab comes back: "Today" and "Yesterday" say the truth again, in every room. */
function relabelDays() {
  const separators = [...ui.messages.children];
  for (const view of views.values()) if (view.room !== state.room) separators.push(...view.items);
  for (const item of separators) {
    if (item.classList.contains('day')) item.firstElementChild.textContent = dayLabel(Number(item.dataset.day));
  }
}

function relabelAtMidnight() {
  const now = new Date();
  const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1).getTime();
  setTimeout(() => { relabelDays(); relabelAtMidnight(); }, midnight - now.getTime() + 1_000);
}

/**
 * Puts the day separators and the runs right from `first` to `last` (items of the shown list) and around them:
 * from the dated item above `first` down to the dated item below `last`. Anything added, at the bottom or
 * as older messages at the top, is settled this way, never the whole list per message. A message continues
 * the run above it ("continued": no avatar, no name) when the item right above it is a message of the same
 * name, less than five minutes older, on the same day; anything else between (a notice) ends a run.
 */
function arrange(first, last = first) {
  const list = ui.messages;
  const datedNear = (element, step) => {
    let near = element;
    while (near !== null && near.dataset.at === undefined) near = near[step];
    return near;
  };
  let ref = datedNear(first.previousElementSibling, 'previousElementSibling');   // the day so far
  const end = datedNear(last.nextElementSibling, 'nextElementSibling');
  let above = ref;                                                               // the item above, if no separator
  let element = ref === null ? list.firstElementChild : ref.nextElementSibling;
  while (element !== null) {
    const next = element.nextElementSibling;
    if (element.classList.contains('day')) {
      element.remove();                        // put back below where one belongs
    } else {
      if (element.dataset.at !== undefined) {
        const at = Number(element.dataset.at);
        const newDay = ref === null || !sameDay(Number(ref.dataset.at), at);
        if (newDay) list.insertBefore(daySeparator(at), element);
        if (element.classList.contains('message')) {
          const run = !newDay && above !== null && above.classList.contains('message')
            && continues({ user: above.dataset.user, at: Number(above.dataset.at) }, { user: element.dataset.user, at });
          element.classList.toggle('continued', run);
        }
        ref = element;
      }
      above = element;
    }
    if (element === end) break;
    element = next;
  }
}

/** The whole list: when a room is shown again (what it heard meanwhile was not arranged) and "Today" may be old. */
function arrangeAll() {
  ui.messages.querySelectorAll(':scope > li.day').forEach((separator) => separator.remove());
  if (ui.messages.firstElementChild !== null) arrange(ui.messages.firstElementChild, ui.messages.lastElementChild);
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
  state.stuck = true;
}

/**
 * The list changed size (the window, the composer growing, a phone's keyboard shrinking the visual viewport):
 * a reader who was at the bottom stays there. A shrinking list keeps its scrollTop and fires no scroll event,
 * so without this the newest messages would slide out of sight; a reader scrolled up keeps their place.
 */
function onResize() {
  if (ui.chatView.hidden) return;
  if (state.stuck) { scrollToBottom(); return; }
  const anchor = state.anchor;                 // the text reflowed: the item the reader saw at the top stays there
  if (anchor !== null && anchor.item.isConnected) {
    ui.messages.scrollTop += anchor.item.getBoundingClientRect().top - ui.messages.getBoundingClientRect().top - anchor.offset;
  }
}

/** The first item at least partly in sight, and how far its top is from the list's: where the reader is. */
function topInSight() {
  const items = ui.messages.children;
  const top = ui.messages.getBoundingClientRect().top;
  let [low, high] = [0, items.length - 1];     // the items are in order down the list: a binary search
  if (high < 0) return null;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (items[middle].getBoundingClientRect().bottom > top) high = middle; else low = middle + 1;
  }
  return { item: items[low], offset: items[low].getBoundingClientRect().top - top };
}

/**
 * Appends one item to a room: shown, it follows it only if the reader was already at the bottom (or
 * wrote it); not shown, it waits with that room's other items.
 */
function append(view, item, follow = false) {
  if (view.room !== state.room) {
    view.items.push(item);
    if (view.items.length > MAX_ITEMS) view.items.splice(0, view.items.length - MAX_ITEMS);
    return;
  }
  const wasAtBottom = atBottom() || state.stuck;  // stuck: at the bottom before a resize not yet followed
  ui.messages.append(item);
  arrange(item);
  if (ui.messages.childElementCount > MAX_ITEMS) {
    while (ui.messages.childElementCount > MAX_ITEMS) ui.messages.firstElementChild.remove();
    arrange(ui.messages.firstElementChild);    // the oldest left may have lost its run's head or its day
  }
  if (wasAtBottom || follow) scrollToBottom(); else ui.newMessages.hidden = false;
}

function messageItem(frame, view) {
  const user = String(frame.user ?? '');
  const item = dated(el('li', user === state.me ? 'message own' : 'message'), frame.dateTime);
  item.dataset.id = String(frame.id);
  item.dataset.user = user;                    // for its run (arrange)
  item.dataset.epoch = view.epoch;             // ids repeat across epochs (server restarts)
  const edited = el('span', 'edited');
  // the full time in its name: what a keyboard reader focusing it hears (a mouse has the time's title)
  const more = button('⋯', `Actions on ${user === state.me ? 'your' : `${user}'s`} message of ${formatTime(frame.dateTime)}`, 'more');
  more.className = 'more';
  more.setAttribute('aria-expanded', 'false');
  more.addEventListener('click', () => toggleActions(item));
  item.append(avatar(user), el('span', 'name', user), timeElement(frame.dateTime), edited, el('p', 'text'),
    el('div', 'reactions'), more, el('div', 'actions'));
  item.addEventListener('keydown', (event) => { if (event.key === 'Escape') closeActions(item); });
  fillMessage(item, frame, view);
  return item;
}

// ---- what we send: pending until the server's echo, failed with a retry when it is refused or lost ----

/**
 * A message of ours on its way: shown at once, marked "Sending…" until the server's echo replaces it (in the
 * server's order), "Waiting for the connection…" while not connected (it goes when the room is entered again),
 * and "Not sent" with Retry when the server refused it or the connection dropped before the server had it.
 * The protocol has no client id to recognise a message sent twice, so nothing is sent again but on Retry.
 */
function sendMessage(view, text) {
  const entry = { text: text.trim(), state: 'queued', connection: 0, item: outgoingItem(text) };
  view.outgoing.push(entry);
  append(view, entry.item, true);
  transmit(view, entry);
}

function outgoingItem(text) {
  const item = dated(el('li', 'outgoing own'), new Date().toISOString());
  item.dataset.user = state.me;
  const retry = button('Retry', 'Send this message again', 'retry');
  const edit = button('Edit', 'Put this message back in the box', 'edit-unsent');
  const actions = el('span', 'unsent-actions');
  actions.append(retry, ' ', edit);
  item.append(avatar(state.me), el('span', 'name', state.me), timeElement(new Date().toISOString()), messageText(text),
    el('span', 'sending'), actions);
  return item;
}

/** Sends it now if the room is entered on an open connection; otherwise it waits for the room's next welcome. */
function transmit(view, entry) {
  const sent = view.status === 'in' && state.client?.say(view.room, entry.text) === true;
  if (sent) Object.assign(state, { lastAsked: 'chat', sentAt: Date.now() });
  Object.assign(entry, { state: sent ? 'pending' : 'queued', connection: state.connection, why: '' });
  renderOutgoing(view, entry);
}

function renderOutgoing(view, entry) {
  const { item } = entry;
  item.classList.toggle('pending', entry.state !== 'failed');
  item.classList.toggle('failed', entry.state === 'failed');
  item.querySelector(':scope > .sending').textContent = entry.state === 'pending' ? 'Sending…'
    : entry.state === 'queued' ? 'Waiting for the connection…' : `Not sent: ${entry.why}`;
  const actions = item.querySelector(':scope > .unsent-actions');
  actions.hidden = entry.state !== 'failed';
  actions.querySelector('[data-action="retry"]').onclick = () => transmit(view, entry);
  actions.querySelector('[data-action="edit-unsent"]').onclick = () => {
    dropOutgoing(view, entry);
    ui.input.value = ui.input.value ? `${ui.input.value}\n${entry.text}` : entry.text;
    renderCounter();
    ui.input.focus();
  };
}

function dropOutgoing(view, entry) {
  view.outgoing.splice(view.outgoing.indexOf(entry), 1);
  if (view.room !== state.room) {
    view.items.splice(view.items.indexOf(entry.item), 1);
    return;
  }
  const next = entry.item.nextElementSibling;
  entry.item.remove();
  if (next !== null) arrange(next);            // the message below may continue the run above it now
}

/** Our own message came back from the server: the one on its way with that text is done. */
function echoed(view, msg) {
  const text = msg.trim();                     // trimmed here as the page trimmed it (the server's strip() differs)
  const entry = view.outgoing.find((e) => e.state === 'pending' && e.text === text)
    ?? view.outgoing.find((e) => e.text === text);
  if (entry !== undefined) dropOutgoing(view, entry);
}

/** The server refused a chat message: the oldest still pending (in that room, when the error names one) failed. */
function refused(room, words) {
  for (const view of room === null ? views.values() : [views.get(room)].filter(Boolean)) {
    const entry = view.outgoing.find((e) => e.state === 'pending');
    if (entry === undefined) continue;
    Object.assign(entry, { state: 'failed', why: words });
    renderOutgoing(view, entry);
    return true;
  }
  return false;
}

/**
 * A room entered again after the connection dropped: once what the server holds has been replayed (up to the
 * welcome's lastId), a message sent on the lost connection and not echoed never reached it. Then what waited
 * for the connection goes.
 */
function settleOutgoing(view) {
  if (view.replayTo === null || view.lastId < view.replayTo) return;
  view.replayTo = null;
  for (const entry of view.outgoing) {
    if (entry.state === 'pending' && entry.connection < state.connection) {
      Object.assign(entry, { state: 'failed', why: 'the connection dropped before the server had it.' });
      renderOutgoing(view, entry);
    }
  }
  for (const entry of view.outgoing) if (entry.state === 'queued') transmit(view, entry);
}

// ---- what the room log does to a message, and what can be done to one ----

const shownMessages = new WeakMap();           // a message's item -> the message as it is now

/** The message's item in a room's list (shown or put aside), or null when it is not there (older, or trimmed). */
function findItem(view, id) {
  const items = view.room === state.room ? ui.messages.children : view.items;
  for (let i = items.length - 1; i >= 0; i--) {  // entries are mostly about recent messages
    const item = items[i];
    if (item.dataset.id === String(id) && item.dataset.epoch === view.epoch && item.classList.contains('message')) return item;
  }
  return null;
}

/**
 * Shows a message as it is now: its text (or "message deleted"), "edited", its reactions and what may be
 * done to it. An edit in progress and an open form stay; the focus stays on the same action.
 */
function fillMessage(item, message, view) {
  shownMessages.set(item, message);
  const user = String(message.user ?? '');
  const own = user === state.me;
  const deleted = message.deleted === true;
  const text = deleted ? '' : String(message.msg ?? '');
  const focused = item.contains(document.activeElement) ? document.activeElement.dataset.action : undefined;
  item.classList.toggle('deleted', deleted);
  item.classList.toggle('mention', !own && mentionsMe(text));
  const edited = item.querySelector(':scope > .edited');
  showText(edited, !deleted && message.edited ? 'edited' : '');
  edited.title = edited.hidden ? '' : `edited ${formatTime(message.edited)}`;
  const shown = deleted ? el('p', 'text deleted', 'message deleted') : messageText(text);
  shown.hidden = !deleted && item.classList.contains('editing');
  item.querySelector(':scope > .text').replaceWith(shown);
  if (deleted) {
    item.querySelector(':scope > .editor')?.remove();
    item.classList.remove('editing');
  }
  item.querySelector(':scope > .reactions').replaceWith(reactionChips(message, view, item));
  const actions = actionBar(message, view, item);
  item.querySelector(':scope > .actions').replaceWith(actions);
  item.querySelector(':scope > .more').hidden = actions.childElementCount === 0;
  if (focused !== undefined && !item.contains(document.activeElement)) {
    const again = [...item.querySelectorAll('[data-action]')].find((element) => element.dataset.action === focused);
    (again ?? item.querySelector(':scope > .more'))?.focus();
  }
}

function button(text, label, action) {
  const element = el('button', '', text);
  element.type = 'button';
  if (label) element.setAttribute('aria-label', label);
  if (action) element.dataset.action = action;
  return element;
}

function reactionsOf(message) {
  const reactions = message.reactions;
  if (reactions === null || typeof reactions !== 'object' || Array.isArray(reactions)) return [];
  return Object.entries(reactions).filter(([, names]) => Array.isArray(names) && names.length > 0)
    .map(([emoji, names]) => [emoji, names.map(String)]);
}

/** One chip per emoji with its count; who reacted is in its name; a click sets or clears our own. */
function reactionChips(message, view, item) {
  const chips = el('div', 'reactions');
  if (message.deleted === true) return chips;
  for (const [emoji, names] of reactionsOf(message)) {
    const mine = names.includes(state.me);
    const chip = button(`${emoji} ${names.length}`, `${emoji} ${names.length}: ${names.join(', ')}`, 'chip:' + emoji);
    chip.className = 'reaction';
    chip.title = names.join(', ');
    chip.setAttribute('aria-pressed', String(mine));
    chip.addEventListener('click', () => react(view, item, emoji, !mine));
    chips.append(chip);
  }
  return chips;
}

/** The buttons a message offers this reader: react, edit and delete its own, and a moderator's. */
function actionBar(message, view, item) {
  const bar = el('div', 'actions');
  const user = String(message.user ?? '');
  const own = user === state.me;
  bar.setAttribute('role', 'group');
  bar.setAttribute('aria-label', `Actions on ${own ? 'your' : `${user}'s`} message`);
  const add = (text, label, action, onClick) => {
    const element = button(text, label, action);
    element.addEventListener('click', onClick);
    bar.append(element);
    return element;
  };
  if (message.deleted !== true) {
    const mine = new Set(reactionsOf(message).filter(([, names]) => names.includes(state.me)).map(([emoji]) => emoji));
    for (const emoji of QUICK_EMOJI) {
      add(emoji, `React with ${emoji}`, 'react:' + emoji, () => react(view, item, emoji, !mine.has(emoji)))
        .setAttribute('aria-pressed', String(mine.has(emoji)));
    }
    add('More', 'More emoji', 'emoji', () => openPanel(item, emojiForm(view, item)));
    if (own) add('Edit', 'Edit your message', 'edit', () => startEdit(view, item));
    if (own || state.moderator) {
      add('Delete', own ? 'Delete your message' : `Delete ${user}'s message`, 'delete', () => deleteMessage(view, item));
    }
  }
  if (state.moderator && !own && user) {
    for (const [action, verb] of [['mute', 'Mute'], ['ban', 'Ban'], ['kick', 'Kick']]) {
      add(verb, `${verb} ${user} in this room`, action, () => openPanel(item, moderationForm(view, item, action, user)));
    }
  }
  return bar;
}

/** The actions of a message, unfolded by "⋯" for the keyboard and by a long press on touch screens (a mouse sees them on hover). */
function toggleActions(item) {
  const open = !item.classList.contains('open');
  item.classList.toggle('open', open);
  item.querySelector(':scope > .more').setAttribute('aria-expanded', String(open));
  if (open) item.querySelector(':scope > .actions button')?.focus(); else closePanel(item);
}

/**
 * A touch held still on a message unfolds its actions, as "⋯" does (a phone has no hover). One listener set for
 * the whole list: a move, a lifted finger or a scroll (pointercancel) before the time is no press, and the
 * browser's own menu for a press that unfolded them is not shown. Presses on a button or a field are theirs.
 */
function listenForLongPress(list) {
  let press = null;                            // the press under way: { item, x, y, timer }
  let unfolded = null;                         // the message the last press unfolded, until the next press
  const cancel = () => {
    if (press !== null) clearTimeout(press.timer);
    press = null;
  };
  list.addEventListener('pointerdown', (event) => {
    cancel();
    unfolded = null;
    if (event.pointerType !== 'touch') return;
    const item = event.target.closest('.message');
    if (item === null || event.target.closest('button, input, textarea, select, a, .editor')) return;
    const timer = setTimeout(() => {
      press = null;
      unfolded = item;
      const actions = item.querySelector(':scope > .actions button');
      if (item.isConnected && !item.classList.contains('open') && actions !== null) toggleActions(item);
    }, LONG_PRESS_MS);
    press = { item, x: event.clientX, y: event.clientY, timer };
  });
  list.addEventListener('pointermove', (event) => {
    if (press !== null && Math.hypot(event.clientX - press.x, event.clientY - press.y) > LONG_PRESS_SLOP_PX) cancel();
  });
  list.addEventListener('pointerup', cancel);
  list.addEventListener('pointercancel', cancel);
  list.addEventListener('contextmenu', (event) => {
    const on = press?.item ?? unfolded;
    if (on !== null && on.contains(event.target)) event.preventDefault();
  });
  // The finger lifted after a long press: no mouse events and click after it, which would take the focus
  // from the first action to the list.
  list.addEventListener('touchend', (event) => {
    if (unfolded !== null && unfolded.contains(event.target)) event.preventDefault();
  }, { passive: false });
}

function closeActions(item) {
  if (item.querySelector(':scope > .panel') !== null) {
    closePanel(item);
  } else if (item.classList.contains('open')) {
    toggleActions(item);
  } else {
    return;
  }
  item.querySelector(':scope > .more').focus();
}

/**
 * Sends a frame about a message of a room (send() returns whether it went); the reader's error line says
 * why not, when not. Nothing goes to a room a moderator took us out of.
 */
function sent(kind, view, send) {
  if (view.status === 'removed') {
    showText(ui.composerError, view.removal);
    return false;
  }
  if (!(state.client !== null && send(state.client))) {
    showText(ui.composerError, 'Not connected right now; try again in a moment.');
    return false;
  }
  Object.assign(state, { lastAsked: kind, sentAt: Date.now() });
  showText(ui.composerError, '');
  return true;
}

function react(view, item, emoji, on) {
  sent('react', view, (client) => client.react(view.room, Number(shownMessages.get(item).id), emoji, on));
}

function deleteMessage(view, item) {
  const message = shownMessages.get(item);
  const own = String(message.user ?? '') === state.me;
  if (!confirm(own ? 'Delete your message for everyone?' : `Delete ${message.user}'s message for everyone?`)) return;
  sent('delete', view, (client) => client.delete(view.room, Number(message.id)));
}

/** Edits our message in place: Enter saves, Shift+Enter starts a new line, Escape cancels. */
function startEdit(view, item) {
  const existing = item.querySelector(':scope > .editor textarea');
  if (existing !== null) { existing.focus(); return; }
  const message = shownMessages.get(item);
  const form = el('form', 'editor');
  form.noValidate = true;
  const label = el('label');
  const area = el('textarea');
  area.value = String(message.msg ?? '');
  area.rows = 2;
  label.append(el('span', 'visually-hidden', 'Edit your message (Enter saves, Escape cancels)'), area);
  const save = el('button', '', 'Save');
  save.type = 'submit';
  const cancel = button('Cancel');
  form.append(label, save, cancel);
  const close = () => {
    form.remove();
    item.classList.remove('editing');
    const text = item.querySelector(':scope > .text');
    if (text !== null) text.hidden = false;
    item.querySelector(':scope > .more').focus();
  };
  area.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === 'Escape') {
      event.stopPropagation();                 // the edit is cancelled, the actions stay as they are
      close();
    }
  });
  cancel.addEventListener('click', close);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const now = shownMessages.get(item);
    if (!area.value.trim()) { showText(ui.composerError, 'Type a message first, or delete it.'); return; }
    if (area.value === now.msg || sent('edit', view, (client) => client.edit(view.room, Number(now.id), area.value))) close();
  });
  item.classList.add('editing');
  item.querySelector(':scope > .text').hidden = true;
  item.querySelector(':scope > .text').after(form);
  area.focus();
  area.setSelectionRange(area.value.length, area.value.length);
}

/** A small form under a message (another emoji, a moderator's action); one at a time. */
function openPanel(item, form) {
  closePanel(item);
  form.classList.add('panel');
  form.noValidate = true;
  item.append(form);
  form.querySelector('input, select')?.focus();
}

function closePanel(item) {
  item.querySelector(':scope > .panel')?.remove();
}

function panelButtons(form, submitText, item) {
  const submit = el('button', '', submitText);
  submit.type = 'submit';
  const cancel = button('Cancel');
  cancel.addEventListener('click', () => closeActions(item));
  form.append(submit, cancel);
}

/** Any emoji, typed: the server says whether it is one. */
function emojiForm(view, item) {
  const form = el('form', 'emoji-form');
  const label = el('label', '', 'Emoji ');
  const input = el('input');
  input.maxLength = 32;
  input.autocomplete = 'off';
  label.append(input);
  form.append(label);
  panelButtons(form, 'React', item);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const emoji = input.value.trim();
    if (emoji) react(view, item, emoji, true);
    closeActions(item);
  });
  return form;
}

/** A moderator's mute, ban or kick of a message's author, with a reason and, for a mute or a ban, how long. */
function moderationForm(view, item, action, user) {
  const verb = { mute: 'Mute', ban: 'Ban', kick: 'Kick' }[action];
  const form = el('form', 'moderate');
  let duration = null;
  if (action !== 'kick') {
    const label = el('label', '', 'For ');
    duration = el('select');
    for (const [seconds, words] of DURATIONS) {
      const option = el('option', '', words);
      option.value = seconds;
      duration.append(option);
    }
    label.append(duration);
    form.append(label);
  }
  const label = el('label', '', 'Reason ');
  const reason = el('input');
  reason.maxLength = 200;                      // the server's limit
  reason.autocomplete = 'off';
  label.append(reason);
  form.append(label);
  panelButtons(form, `${verb} ${user}`, item);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const seconds = duration === null || duration.value === '' ? null : Number(duration.value);
    const send = (client) => (action === 'kick' ? client.kick(view.room, user, reason.value)
      : client[action](view.room, user, seconds, reason.value));
    if (sent('moderate', view, send)) closeActions(item);
  });
  return form;
}

/** An edit, deletion or reaction changes a message shown; a moderation entry is a quiet line in the room. */
function onEntry(frame) {
  const view = views.get(String(frame.room ?? ''));
  if (view === undefined) return;
  view.lastId = Math.max(view.lastId, Number(frame.id) || 0);
  settleOutgoing(view);
  if (frame.type === 'moderation') {
    addNotice(view, 'moderation', moderationWords(frame), frame.dateTime);
    return;
  }
  if (frame.type === 'delete' && view.heard.delete(Number(frame.target))) renderRooms(); // the server counts it no more
  const item = findItem(view, frame.target);
  if (item === null) return;                   // older than what is shown: scrollback brings it as it is now
  const follow = view.room === state.room && atBottom();
  fillMessage(item, applyEntry(shownMessages.get(item), frame), view);
  if (follow) scrollToBottom();                // a longer text or new chips must not push the newest out of sight
}

const MODERATED = { mute: 'muted', unmute: 'unmuted', ban: 'banned', unban: 'unbanned', kick: 'removed' };

/** "boss muted bob for 10 minutes: reason" */
function moderationWords(entry) {
  const action = String(entry.action ?? '');
  const verb = Object.hasOwn(MODERATED, action) ? MODERATED[action] : action;
  const lasting = action !== 'mute' && action !== 'ban' ? ''
    : entry.until ? ` for ${howLong(Date.parse(entry.until) - Date.parse(entry.dateTime))}` : ' until lifted';
  const where = action === 'kick' ? ' from the room' : '';
  const reason = typeof entry.reason === 'string' && entry.reason ? `: ${entry.reason}` : '';
  return `${entry.by ?? ''} ${verb} ${entry.user ?? ''}${where}${lasting}${reason}`;
}

function howLong(ms) {
  const seconds = Math.max(0, Math.round((Number.isFinite(ms) ? ms : 0) / 1000));
  const [amount, unit] = seconds >= 86_400 ? [seconds / 86_400, 'day'] : seconds >= 3600 ? [seconds / 3600, 'hour']
    : seconds >= 60 ? [seconds / 60, 'minute'] : [seconds, 'second'];
  const rounded = Math.round(amount);
  return `${rounded} ${unit}${rounded === 1 ? '' : 's'}`;
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

/** The text as a regular expression that matches only itself: names may hold a . */
function literal(text) {
  return text.replace(/[.*+?^${}()|[\]\\/]/gu, '\\$&');
}

let mention = { name: null, pattern: null };

/** Whether the text names us as a whole word, in any case: "@Ann" and "Ann," do, "Annabel" does not. */
function mentionsMe(text) {
  if (!state.me) return false;
  if (mention.name !== state.me) {
    const escaped = literal(state.me);
    const word = '[\\p{L}\\p{M}\\p{N}_]';
    mention = { name: state.me, pattern: new RegExp(`(?<!${word})${escaped}(?!${word})`, 'iu') };
  }
  return mention.pattern.test(text);
}

let address = { name: null, pattern: null };

/**
 * Whether the text holds @NAME for our name, in any case: what the room list marks as a mention, by the
 * rule the server will count mentions with (PROTOCOL.md, "my rooms"). The highlight above is wider.
 */
function addressesMe(text) {
  if (!state.me) return false;
  if (address.name !== state.me) {
    address = { name: state.me, pattern: new RegExp('@' + literal(state.me), 'iu') };
  }
  return address.pattern.test(text);
}

// ---- the rooms this page is in ----

function newView(room) {
  return {
    room,
    items: [],         // while not shown: its list items, oldest first
    epoch: null,       // its id sequence, from its last welcome
    lastId: 0,         // newest chat id shown in that epoch
    liveAfter: 0,      // ids above this are news to the reader, not history shown on entering
    older: { loading: false, done: false }, // scrollback: a request on its way; nothing older is held
    users: new Set(),
    typing: new Map(), // name -> when its "is typing" ends (ms)
    scrollTop: null,   // where the reader left it; null: at the bottom
    status: 'asked',   // 'asked' until its welcome, then 'in'; 'off' after a refusal a retry may change;
                       // 'removed' once a moderator took us out (banned or kicked)
    removal: '',       // what the reader is told then
    // How far our name read it, and what is unread: the server's count up to an id (its "my rooms"),
    // and the messages heard here since. Ids, not a number: a read from another device takes off just those.
    read: 0,           // our name's read position: the server's, another device's, or ours
    counts: null,      // { unread, mentions, upTo }: the server's, null when it did not count them
    listed: false,     // in an answer of "my rooms" since this page entered it
    heard: new Map(),  // id -> whether it addresses us: unread messages above counts.upTo (or `read`)
    readWanted: 0,     // the newest message in sight; readSent: what the server was told; readAt: when
    readSent: 0,
    readAt: 0,
    readTimer: 0,
    at: 0,             // our last activity in it (ms), or minus its place in "my rooms": orders the Direct list
    seen: 0,           // a direct conversation: how far the other person read it
    otherOnline: null, // a direct conversation: whether the other person is online anywhere, as the server says; null: not said
    presence: null,    // the presence line changes fold into: { item, since (ms), changes: name -> 'join' | 'leave' }
    outgoing: [],      // our messages not echoed yet: { text, state: 'queued' | 'pending' | 'failed', connection, why, item }
    replayTo: null,    // after a welcome: the id up to which the server replays; then what we sent is settled
  };
}

function shownView() {
  return views.get(state.room);
}

/** Enters a room on the connection (it stays entered until closed); entering makes it one of our name's rooms. */
function openRoom(room) {
  let view = views.get(room);
  if (view === undefined) {
    view = newView(room);
    views.set(room, view);
  }
  state.forgotten.delete(room);
  if (view.status === 'off') view.status = 'asked';
  state.client?.subscribe(room, view);         // after what the view shows, when it shows anything
  renderRooms();
  return view;
}

/** Shows a room: instant for one entered already, nothing is said to anyone; entered first otherwise. */
function showRoom(room) {
  const previous = shownView();
  if (previous !== undefined && previous.room !== room) keepView(previous);
  const view = views.get(room)?.status === 'in' ? views.get(room) : openRoom(room);
  state.room = room;
  restoreView(view);
  if (view.status === 'in') state.lastGoodRoom = room;
  showRoomInHash(room);
  view.at = Date.now();
  noteRead(view);
  renderUsers();
  renderTyping();
  showText(ui.composerError, '');
  if (!wide.matches) ui.rooms.open = ui.online.open = false;  // a phone shows the room chosen, not the list it came from
}

/**
 * Leaves a room for good: unsubscribed, and off our name's rooms on the server (another device of ours lists
 * it until it next asks); the page shows another one if it was shown.
 */
function closeRoom(room) {
  state.client?.forget(room);
  clearTimeout(views.get(room)?.readTimer);
  views.delete(room);
  state.forgotten.add(room);
  if (room === state.room) {
    const next = [...views.keys()].find((name) => !isDirect(name)) ?? DEFAULT_ROOM;
    state.room = null;
    showRoom(next);
  }
  renderRooms();
}

/** Puts the shown room's items aside, where the room keeps them until it is shown again. */
function keepView(view) {
  view.items = [...ui.messages.children];
  view.scrollTop = atBottom() ? null : ui.messages.scrollTop;
}

function restoreView(view) {
  ui.messages.replaceChildren(...view.items);
  view.items = [];
  arrangeAll();
  if (view.scrollTop === null) scrollToBottom(); else ui.messages.scrollTop = view.scrollTop;
  ui.newMessages.hidden = true;
  state.stuck = view.scrollTop === null;
  state.scrollTop = ui.messages.scrollTop;
}

// ---- how far we read: unread counts, read positions, and "seen" ----

/** What the room list shows for a room: the server's counts, and what was heard here since. */
function unreadIn(view) {
  let mentions = view.counts?.mentions ?? 0;
  for (const addressed of view.heard.values()) if (addressed) mentions += 1;
  return { unread: (view.counts?.unread ?? 0) + view.heard.size, mentions };
}

/** A message of someone else's heard in a room: unread until we (here or on another device) read past it. */
function hear(view, id, text) {
  if (id <= view.read || id <= (view.counts?.upTo ?? 0)) return;  // read, or the server's count has it
  view.heard.set(id, addressesMe(text));
  // a tab left open for days beside a busy room: the list shows 99+ long before this, the server counts 100
  if (view.heard.size > MAX_ITEMS) view.heard.delete(view.heard.keys().next().value);
  renderRooms();
}

/**
 * Our name read the room up to an id (here, or another device of ours): what is unread up to it goes. A read
 * short of what the server counted cannot say which of those it took: the server is asked again.
 */
function applyRead(view, id) {
  if (!(id > view.read)) return;
  view.read = id;
  for (const heard of view.heard.keys()) if (heard <= id) view.heard.delete(heard);
  if (view.counts !== null && view.counts.unread > 0) {
    if (id >= view.counts.upTo) view.counts = { unread: 0, mentions: 0, upTo: view.counts.upTo };
    else askMine();
  }
  renderRooms();
}

/** The id of the newest message of the shown room at least partly in sight, or 0. */
function newestInSight(view) {
  const bottom = ui.messages.getBoundingClientRect().bottom;
  const items = ui.messages.children;
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (!item.classList.contains('message') || item.dataset.epoch !== view.epoch) continue;
    if (item.getBoundingClientRect().top < bottom) return Number(item.dataset.id);
  }
  return 0;
}

/** The reader may have read further (a message came, a scroll, the tab came back): the server hears of it. */
function noteRead(view) {
  if (view === undefined || document.hidden || view.room !== state.room || ui.chatView.hidden) return;
  const id = newestInSight(view);
  if (!(id > view.readWanted)) return;
  view.readWanted = id;
  applyRead(view, id);
  sendRead(view);
}

/** Tells the server the newest message read, at most once a second per room; the last one always goes. */
function sendRead(view) {
  clearTimeout(view.readTimer);
  if (!(view.readWanted > view.readSent) || view.status !== 'in') return;   // a welcome sends it otherwise
  const wait = view.readAt + READ_EVERY_MS - Date.now();
  if (wait > 0) {
    view.readTimer = setTimeout(() => sendRead(view), wait);
  } else if (state.client?.read(view.room, view.readWanted)) {
    Object.assign(view, { readSent: view.readWanted, readAt: Date.now() });
  }
}

/** Another connection of our name read a room further: its unread goes here too. */
function onReadElsewhere(frame) {
  const view = views.get(String(frame.room ?? ''));
  const id = Number(frame.id);
  if (view === undefined || !Number.isSafeInteger(id)) return;
  view.readSent = Math.max(view.readSent, id);  // the server has it already: no need to say it again
  view.readWanted = Math.max(view.readWanted, id);
  applyRead(view, id);
}

/** The other person of a direct conversation read it up to an id: "Seen" goes under our last message so far. */
function onSeen(frame) {
  const view = views.get(String(frame.room ?? ''));
  const id = Number(frame.id);
  if (view === undefined || otherIn(view.room) === null || String(frame.user ?? '') === state.me || !(id > view.seen)) return;
  view.seen = id;
  showSeen(view);
}

function showSeen(view) {
  if (view.seen === 0) return;
  const items = [...(view.room === state.room ? ui.messages.children : view.items)];
  const last = items.findLast((item) => item.classList.contains('own') && item.classList.contains('message')
    && item.dataset.epoch === view.epoch && Number(item.dataset.id) <= view.seen);
  if (last === undefined || last.querySelector(':scope > .seen') !== null) return;
  for (const item of items) item.querySelector(':scope > .seen')?.remove();
  const seen = el('span', 'seen', 'Seen');
  seen.title = `${otherIn(view.room)} has read up to here`;
  const follow = view.room === state.room && atBottom();
  last.append(seen);
  if (follow) scrollToBottom();
}

/** Asks for our name's rooms soon: rooms entered together are asked about once. */
function askMine() {
  if (state.timers.mine !== 0) return;
  state.timers.mine = setTimeout(() => {
    state.timers.mine = 0;
    state.client?.myRooms();
  }, MINE_AGAIN_MS);
}

/**
 * Our name's rooms, the most recently active first, with the server's counts (PROTOCOL.md, "my rooms"): the
 * page enters the ones it is not in yet (the most recent ones, within the server's rooms per connection) and
 * takes their counts; what it heard since the server counted stays on top of them.
 */
function onMyRooms(frame) {
  const kept = { rooms: 0, directs: 0 };
  frame.rooms.forEach((entry, place) => {
    const room = typeof entry?.room === 'string' ? entry.room : '';
    if (!(ROOM_RULE.test(room) || otherIn(room) !== null) || state.forgotten.has(room)) return;
    let view = views.get(room);
    if (view === undefined) {
      const kind = isDirect(room) ? 'directs' : 'rooms';
      if (kept[kind] >= (kind === 'rooms' ? ROOMS_KEPT : DIRECTS_KEPT)) return;
      kept[kind] += 1;
      view = openRoom(room);
    }
    view.listed = true;
    if (view.at <= 0) view.at = -place;
    const lastId = asCount(Number(entry.lastId));
    view.read = Math.max(view.read, asCount(Number(entry.read)));
    view.counts = typeof entry.unread !== 'number' ? null
      : view.read >= lastId ? { unread: 0, mentions: 0, upTo: lastId }  // we read further since it counted
      : { unread: asCount(entry.unread), mentions: asCount(entry.mentions), upTo: lastId };
    const upTo = Math.max(view.read, view.counts?.upTo ?? 0);
    for (const heard of view.heard.keys()) if (heard <= upTo) view.heard.delete(heard);
  });
  renderRooms();
}

// ---- the message list ----

/** The id of the oldest message shown from the room's current epoch, or 0. */
function oldestShown(view) {
  const items = view.room === state.room ? ui.messages.children : view.items;
  for (const item of items) {
    if (item.classList.contains('message') && item.dataset.epoch === view.epoch) return Number(item.dataset.id);
  }
  return 0;
}

function onScroll() {
  const top = ui.messages.scrollTop;
  const up = top < state.scrollTop;            // the page itself only scrolls down, to follow new messages
  state.scrollTop = top;
  state.stuck = atBottom();
  state.anchor = state.stuck ? null : topInSight();
  if (state.stuck) ui.newMessages.hidden = true;
  noteRead(shownView());                       // what scrolled into sight is read
  if (up && top <= TOP_SLACK_PX) loadOlder();
}

function loadOlder() {
  const view = shownView();
  if (view === undefined || view.older.loading || view.older.done || view.epoch === null) return;
  const oldest = oldestShown(view);
  if (oldest === 1) { noOlder(view); return; }
  if (oldest > 1 && state.client.history(view.room, oldest, HISTORY_PAGE)) {
    view.older.loading = true;
    Object.assign(state, { lastAsked: 'history', sentAt: Date.now() });
  }
}

/**
 * Takes everything of earlier sequences off a room's list (messages and the lines between them), keeping our
 * messages still on their way; true when there was a message to take off (an empty room that retired also
 * changes its sequence: nothing worth a word then).
 */
function dropOlderEpochs(view) {
  const shown = view.room === state.room;
  const items = shown ? [...ui.messages.children] : view.items;
  const had = items.some((item) => item.classList.contains('message'));
  const kept = items.filter((item) => item.classList.contains('outgoing'));
  if (shown) ui.messages.replaceChildren(...kept); else view.items = kept;
  view.presence = null;
  return had;
}

/** Older messages, put above what is shown without moving it. */
function onHistory(frame) {
  const view = views.get(String(frame.room ?? ''));
  if (view === undefined) return;
  view.older.loading = false;
  if (view.room !== state.room || !Array.isArray(frame.messages)) return;  // asked again when it is shown
  const oldest = oldestShown(view);
  const older = frame.messages.filter((m) => m && Number(m.id) < oldest).map((m) => messageItem(m, view));
  const list = ui.messages;
  const before = list.scrollHeight;
  const first = list.querySelector('li.message');
  for (const item of older) list.insertBefore(item, first);
  if (older.length > 0) arrange(older[0], older[older.length - 1]);
  list.scrollTop += list.scrollHeight - before;
  if (frame.more === false) noOlder(view);
}

function noOlder(view) {
  view.older.done = true;
  if (ui.messages.querySelector('li.notice.no-older')) return;
  const item = el('li', 'notice no-older');
  item.append(el('span', 'text', 'No older messages.'));
  const before = ui.messages.scrollHeight;
  ui.messages.prepend(item);
  ui.messages.scrollTop += ui.messages.scrollHeight - before;
}

function addNotice(view, kind, text, iso) {
  const item = el('li', 'notice ' + kind);
  item.append(el('span', 'text', text));
  if (iso) item.append(' ', timeElement(iso));
  append(view, iso ? dated(item, iso) : item);
  return item;
}

/** The shown room's online list; each other name is a link to our direct conversation with them. */
function renderUsers() {
  const names = [...(shownView()?.users ?? [])].sort(collator.compare);
  ui.users.replaceChildren(...names.map(personItem));
  ui.onlineCount.textContent = String(names.length);
  renderHeader();
  renderRooms();
}

/**
 * The header names the room shown; a direct conversation by the other person's name, with whether they are
 * online anywhere (the server's otherOnline and online frames, this server's addition to the protocol), and
 * where, when they are in this conversation or another room this page is in. A server that does not say
 * leaves only what the rooms tell.
 */
function renderHeader() {
  const room = state.room ?? DEFAULT_ROOM;
  const other = otherIn(room);
  ui.roomName.dataset.room = room;
  ui.roomName.textContent = other ?? room;
  ui.roomKind.textContent = other === null ? 'Room' : 'Direct conversation with';
  ui.roomKind.classList.toggle('visually-hidden', other !== null);
  let where = '';
  if (other !== null) {
    const anywhere = views.get(room)?.otherOnline ?? null;
    const elsewhere = [...views.values()].filter((view) => view.room !== room && view.users.has(other))
      .map((view) => view.room).filter((name) => !isDirect(name)).sort(collator.compare);
    where = anywhere === false ? 'offline'
      : views.get(room)?.users.has(other) ? 'online, in this conversation'
      : elsewhere.length > 0 ? `online, in ${elsewhere[0]}`
      : anywhere === true ? 'online' : 'not online in your rooms';
    ui.peer.dataset.presence = where.startsWith('online') ? 'online' : 'away';
  }
  showText(ui.peer, where);
}

/** The other person of a direct conversation came online anywhere, or went: its header says so. */
function onOnline(frame) {
  const view = views.get(String(frame.room));
  if (view === undefined || otherIn(view.room) !== String(frame.user)) return;
  view.otherOnline = frame.online === true;
  if (view.room === state.room) renderHeader();
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

// ---- the room list: the rooms opened, our direct conversations, and other rooms with people ----

/**
 * One entry: a link the page follows through the hash, marked when it is the room shown. People online
 * and unread messages are different things, and look it: a count beside a dot, and a filled badge.
 */
function roomItem(room, label, { online = null, unread = 0, mentions = 0, closable = false }) {
  const link = el('a', 'room-link');
  link.href = roomHref(room);
  link.append(el('span', 'label', label));
  const said = [label];
  if (online !== null) {
    link.append(el('span', 'online', String(online)));
    said.push(`${online} online`);
  }
  if (mentions > 0) {
    link.append(el('span', 'mention', '@'));
    said.push(mentions === 1 ? '1 mention' : `${mentions} mentions`);
  }
  if (unread > 0) {
    link.append(el('span', 'unread', unread > UNREAD_SHOWN_MAX ? `${UNREAD_SHOWN_MAX}+` : String(unread)));
    said.push(`${unread} unread`);
  }
  link.setAttribute('aria-label', said.join(', '));   // the badges alone would be read as bare numbers
  if (room === state.room) link.setAttribute('aria-current', 'page');
  const item = el('li');
  item.append(link);
  if (closable) {
    const close = el('button', 'room-close', '×');
    close.type = 'button';
    close.setAttribute('aria-label', `Close ${label}`);
    close.title = `Close ${label}: leave it and take it off this list`;
    close.addEventListener('click', () => closeRoom(room));
    item.append(close);
  }
  return item;
}

function renderRooms() {
  if (state.me === null) return;
  const shown = (room) => room === state.room && !document.hidden;   // what is on the screen is read
  const counts = (room) => (shown(room) ? { unread: 0, mentions: 0 } : unreadIn(views.get(room)));
  const onlineIn = (room) => (views.get(room)?.status === 'in' ? views.get(room).users.size : null);
  const rooms = [...views.keys()].filter((room) => !isDirect(room)).sort(collator.compare);
  renderList(ui.roomList, rooms.map((room) => [room, room, { online: onlineIn(room), ...counts(room), closable: true }]));
  const directs = [...views.keys()].filter((room) => otherIn(room) !== null)
    .sort((a, b) => views.get(b).at - views.get(a).at);
  renderList(ui.directList, directs.map((room) => [room, otherIn(room), { ...counts(room), closable: true }]));
  ui.directEmpty.hidden = directs.length > 0;
  const more = state.directory.filter(({ room }) => !views.has(room));
  renderList(ui.moreList, more.map(({ room, online }) => [room, room, { online }]));
  ui.moreHeading.hidden = more.length === 0;
  const unread = [...rooms, ...directs].reduce((sum, room) => sum + counts(room).unread, 0);
  ui.unreadTotal.replaceChildren(String(unread), el('span', 'visually-hidden', ' unread'));
  ui.unreadTotal.hidden = unread === 0;         // shown on the folded list too, as on a phone
}

const listsShown = new WeakMap();               // a list element -> what it shows, as JSON

/**
 * Fills one part of the room list with [room, label, options] entries, only when they changed: it is asked
 * after every message and answer, and a list made anew under the pointer or the keyboard's focus loses both.
 */
function renderList(list, entries) {
  const shown = JSON.stringify([state.room, entries]);
  if (listsShown.get(list) === shown) return;
  listsShown.set(list, shown);
  list.replaceChildren(...entries.map(([room, label, options]) => roomItem(room, label, options)));
}

/** The room directory and our name's rooms, asked for again: another device of ours may have entered one. */
function requestRooms() {
  state.client?.directory();                   // nothing while not connected: the next welcome asks
  state.client?.myRooms();
}

function onRooms(frame) {
  if (!Array.isArray(frame.rooms)) return;
  if (frame.mine === true) { onMyRooms(frame); return; }
  state.directory = frame.rooms
    .filter((entry) => typeof entry?.room === 'string' && ROOM_RULE.test(entry.room))
    .map((entry) => ({ room: entry.room, online: asCount(entry.online) }));
  renderRooms();
}

/**
 * A message in one of our direct conversations that this page is not in yet: the conversation is entered (its
 * history brings the message, counted unread as any other) and listed first.
 */
function onNotice(frame) {
  const room = String(frame.room ?? '');
  if (otherIn(room) === null || views.get(room)?.status === 'in') return;
  openRoom(room).at = Date.now();
  countUnseen();
  notifyDesktop(String(frame.user ?? ''), String(frame.msg ?? ''), room);
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
  relabelDays();                               // a laptop asleep over midnight fires no timer on time
  noteRead(shownView());
  renderRooms();
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
  'not-subscribed': 'This page is not in that room right now; try again in a moment.',
  'too-many-rooms': 'You have too many rooms open; close one first.',
  'not-found': 'That message is no longer there: deleted, or older than the room keeps.',
  'banned': 'A moderator banned you from this room.',
  'kicked': 'A moderator removed you from this room.',
};
// Refusals of a chat message: it is marked "Not sent", with Retry.
const CHAT_REFUSALS = new Set(['invalid-json', 'invalid-message', 'empty-message', 'message-too-long', 'rate-limited',
  'unavailable', 'not-subscribed', 'muted', 'forbidden', 'banned']);
// Closes a retry cannot fix, by the 1008's reason (the error's code): the page says this and stops.
const FINAL_WORDS = {
  'unauthorized': 'This chat needs you to sign in: the server refused the connection (the token is missing, invalid or expired).',
  'invalid-query': 'The server refused to open this room.',
  'forbidden': 'This conversation is between two other people; you cannot join it.',
  'unknown-user': 'Nobody holds that name, so there is no conversation with them.',
  'rate-limited': 'The server disconnected you for sending too fast.',
};
// Refusals of a room that no retry changes: it leaves the list. Others (room-limit, unavailable,
// too-many-rooms) leave it listed, and opening it again asks again.
const FOR_GOOD = new Set(['forbidden', 'unknown-user', 'invalid-query', 'banned', 'invalid-user']);
// Refusals of the name itself: back to the join form, where another name can be typed.
const NAME_WORDS = {
  'invalid-user': 'That name cannot be used.',
  'name-taken': 'Someone else holds that name; choose another name.',
};

/** The connection's welcome: our name as the server spells it, and every room we opened, entered again. */
function onReady(frame) {
  state.me = String(frame.user ?? state.me);   // a token's subject wins: the rooms opened are that name's
  state.moderator = frame.moderator === true;
  ui.me.textContent = state.me;                // the name came from the sign-in, not from us: say which it is
  ui.signedIn.hidden = !namedElsewhere();
  for (const room of takeOverStoredRooms()) if (!views.has(room)) openRoom(room);
  for (const view of views.values()) if (view.status === 'off') openRoom(view.room);
  showText(ui.composerError, '');
  requestRooms();
  clearInterval(state.timers.rooms);
  state.timers.rooms = setInterval(requestRooms, ROOMS_EVERY_MS);
  renderRooms();
}

function onWelcome(frame) {
  const room = String(frame.room);
  const view = views.get(room) ?? openRoom(room);
  const hadSeen = view.lastId;
  const epoch = String(frame.epoch);
  const sameEpoch = epoch === view.epoch;
  // Another sequence after one we showed messages of: the server no longer holds them (an in-memory server
  // restarted, or forgot the room), so neither does the list; what it holds now follows the welcome.
  const gone = !sameEpoch && view.epoch !== null && dropOlderEpochs(view);
  if (!sameEpoch) {
    Object.assign(view, { epoch, lastId: 0 });  // ids of another sequence say nothing here
    view.older = { loading: false, done: false };
  }
  view.older.loading = false;                  // an answer on an old socket never comes
  // What was missed since we last saw the room is news (for the title, and a notification); the recent
  // history of a first visit is not. Unread counts go by read positions, not by this.
  view.liveAfter = sameEpoch ? hadSeen : asCount(Number(frame.lastId));
  if (!sameEpoch && hadSeen > 0) {             // ids of another sequence: what we knew of read and unread goes
    Object.assign(view, { read: 0, counts: null, readWanted: 0, readSent: 0, seen: 0 });
    view.heard.clear();
    view.listed = false;
  }
  if (!view.listed) askMine();                 // its counts, and read position, are the server's
  view.status = 'in';
  // Resumed in the same sequence: what we sent on the lost connection is known once the replay is in. In
  // another one (the server restarted), nothing of it is held: it is settled at once.
  view.replayTo = sameEpoch ? asCount(Number(frame.lastId)) : 0;
  settleOutgoing(view);
  sendRead(view);                              // what was read while we were away from the server
  view.users = new Set((frame.users ?? []).map(String));
  view.otherOnline = typeof frame.otherOnline === 'boolean' ? frame.otherOnline : null; // a direct conversation's
  view.typing.clear();                         // a new subscription: nobody is known to be typing
  if (room === state.room) {
    state.lastGoodRoom = room;
    renderUsers();
    renderTyping();
  } else {
    renderRooms();
    renderHeader();                            // the other person of the conversation shown may be in it
  }
  if (gone) {
    addNotice(view, 'restarted', 'The server restarted; earlier messages are gone.');
  } else if (sameEpoch && frame.resumed && frame.recovered === false && (hadSeen > 0 || frame.lastId > 0)) {
    // the same sequence, but older than what the server still holds: a gap, said where it is
    addNotice(view, 'unrecovered', 'Some messages could not be recovered.');
  }
}

function onChat(frame) {
  const view = views.get(String(frame.room ?? ''));
  if (view === undefined) return;
  const id = Number(frame.id);
  view.lastId = Math.max(view.lastId, id);
  const user = String(frame.user ?? '');
  const text = String(frame.msg ?? '');
  if (view.typing.delete(user) && view.room === state.room) renderTyping(); // they said it
  const own = user === state.me;
  if (own) echoed(view, text);
  append(view, messageItem(frame, view), own);
  if (!own && frame.deleted !== true) hear(view, id, text);
  if (isDirect(view.room) && id > view.liveAfter) view.at = Date.now();
  noteRead(view);                              // in sight, it is read
  settleOutgoing(view);
  if (own || id <= view.liveAfter || frame.deleted === true) return;
  if (view.room === state.room) announce(`${user}: ${text}`);
  if (view.room === state.room || otherIn(view.room) !== null) countUnseen();
  if (otherIn(view.room) !== null) notifyDesktop(user, text, view.room);
}

/** Says one new message to screen readers, politely (after what they are reading): only it, never the list. */
function announce(words) {
  ui.announcer.append(el('p', '', words));
  while (ui.announcer.childElementCount > ANNOUNCED_KEPT) ui.announcer.firstElementChild.remove();
}

/** Someone else is typing: shown for a few seconds, or until their message comes. */
function onTyping(frame) {
  const view = views.get(String(frame.room ?? ''));
  if (view === undefined) return;
  view.typing.set(String(frame.user ?? ''), Date.now() + TYPING_SHOWN_MS);
  if (view.room === state.room) renderTyping();
}

function renderTyping() {
  const typing = shownView()?.typing ?? new Map();
  const now = Date.now();
  for (const [name, until] of typing) if (until <= now) typing.delete(name);
  const names = [...typing.keys()].sort(collator.compare);
  const words = names.length === 0 ? ''
    : names.length === 1 ? `${names[0]} is typing…`
    : names.length === 2 ? `${names[0]} and ${names[1]} are typing…`
    : 'Several people are typing…';
  showText(ui.typing, words);
  clearTimeout(state.timers.typing);
  if (names.length > 0) {
    state.timers.typing = setTimeout(renderTyping, Math.min(...typing.values()) - now);
  }
}

/** We type: the others in the shown room hear of it, at most once a second. */
function onComposerInput() {
  showText(ui.composerError, '');
  renderCounter();
  if (ui.input.value.trim() && shownView()?.status === 'in' && Date.now() - state.typedAt >= TYPING_EVERY_MS && state.client?.typing(state.room)) {
    state.typedAt = Date.now();
  }
}

function onPresence(frame) {
  const view = views.get(String(frame.room ?? ''));
  if (view === undefined) return;
  // A big room announces a crowd in one frame: `users` names them all, `user` the first.
  const names = (Array.isArray(frame.users) ? frame.users : [frame.user]).map((name) => String(name ?? ''));
  const joined = frame.type === 'join';
  for (const name of names) {
    if (joined) view.users.add(name); else view.users.delete(name);
  }
  if (view.room === state.room) renderUsers(); else { renderRooms(); renderHeader(); }
  const others = names.filter((name) => name !== state.me);
  if (others.length > 0) foldPresence(view, others, joined, frame.dateTime);
}

/**
 * Joins and leaves make one quiet line while they come within FOLD_MS of its first and nothing else came below
 * it: "Ann joined", "Ann and 3 others joined; Bob left". A name that comes and goes counts once, by its last
 * change (someone moving between rooms is one line, not five); the online list stays the whole truth.
 */
function foldPresence(view, names, joined, iso) {
  const items = view.room === state.room ? ui.messages.children : view.items;
  let fold = view.presence;
  if (fold === null || fold.item !== items[items.length - 1] || Date.now() - fold.since > FOLD_MS) {
    fold = { item: null, since: Date.now(), changes: new Map() };
    view.presence = fold;
  }
  for (const name of names) {
    fold.changes.delete(name);                 // moved to the end: the newest change of a name goes last
    fold.changes.set(name, joined ? 'join' : 'leave');
  }
  const changed = (kind) => [...fold.changes].filter(([, change]) => change === kind).map(([name]) => name);
  const [joins, leaves] = [changed('join'), changed('leave')];
  const who = (list, verb) => (list.length === 0 ? ''
    : `${list.length === 1 ? list[0] : list.length === 2 ? `${list[0]} and ${list[1]}` : `${list[0]} and ${list.length - 1} others`} ${verb}`);
  const words = [who(joins, 'joined'), who(leaves, 'left')].filter(Boolean).join('; ');
  const kinds = [joins.length > 0 ? 'join' : '', leaves.length > 0 ? 'leave' : ''].filter(Boolean).join(' ');
  if (fold.item === null) {
    fold.item = addNotice(view, `presence ${kinds}`, words, iso);
    return;
  }
  const follow = view.room === state.room && atBottom();
  fold.item.className = `notice presence ${kinds}`;
  fold.item.querySelector(':scope > .text').textContent = words;
  if (follow) scrollToBottom();                // a longer line must not push the newest out of sight
}

function onError(frame) {
  const code = String(frame.code ?? '');
  const room = typeof frame.room === 'string' ? frame.room : null;
  if (code === 'unauthorized' && room === null && state.renewing) {  // the new token was refused: another, anew
    state.renewing = false;
    renew();
    return;
  }
  if (frame.removed) { onRemoved(room, code, frame); return; }
  if (frame.refused) { onRoomRefused(room, code, String(frame.msg ?? '')); return; }
  // Nothing the reader did: chat-client.js asks for rooms again by itself, or is in the room already
  // (a rate-limited error names no room: it is the reader's only when a message just went).
  const readerSent = state.lastAsked === 'chat' && Date.now() - state.sentAt < RECENT_MS;
  if ((frame.retrying && !readerSent) || code === 'already-subscribed') return;
  // The page's own reads and lists count against the rate too: refused, they are nothing the reader did.
  if (code === 'rate-limited' && Date.now() - state.sentAt >= RECENT_MS) return;
  // A refused chat message is marked on the message itself, with Retry; a refused rooms or history request is not.
  if (CHAT_REFUSALS.has(code) && state.lastAsked === 'chat' && refused(room, errorWords(code, frame))) return;
  if (room !== null && room !== state.room) return;  // about a room not in sight: nothing the reader did there
  const detail = frame.msg ? ` (${frame.msg})` : '';
  showText(ui.composerError, errorWords(code, frame) + detail);
}

/** What an error means to the reader, in the light of what the page asked last. */
function errorWords(code, frame) {
  if (code === 'muted') {
    return frame.until ? `You are muted in this room until ${formatTime(frame.until)}.` : 'You are muted in this room.';
  }
  if (code === 'forbidden' && ['edit', 'delete', 'moderate'].includes(state.lastAsked)) {
    return state.lastAsked === 'moderate' ? 'Only moderators may do that.' : 'That message is someone else\'s.';
  }
  return Object.hasOwn(ERROR_WORDS, code) ? ERROR_WORDS[code] : 'The server refused that.';
}

/**
 * A moderator took our name out of a room we were in (banned, or kicked): it stays in sight with what
 * happened, says why the box cannot write there, and a kicked reader may enter again.
 */
function onRemoved(asked, code, frame) {
  const room = roomFor(asked ?? '', state.me) ?? asked;
  const view = views.get(room);
  if (view === undefined) return;
  const reason = typeof frame.reason === 'string' && frame.reason ? ` The reason given: ${frame.reason}` : '';
  const until = frame.until ? ` until ${formatTime(frame.until)}` : '';
  view.removal = code === 'banned' ? `A moderator banned you from this room${until}; you cannot write here.${reason}`
    : `A moderator removed you from this room.${reason}`;
  view.status = 'removed';
  view.users.clear();
  view.typing.clear();
  if (code === 'banned') state.client?.forget(room);  // off our name's rooms: not entered again next time
  const item = el('li', 'notice refused');
  item.append(el('span', 'text', view.removal));
  if (code === 'kicked') {
    const again = button('Enter again', `Enter ${room} again`);
    again.addEventListener('click', () => {
      again.remove();
      showText(ui.composerError, '');
      view.status = 'off';
      openRoom(room);
    });
    item.append(' ', again);
  }
  append(view, item, true);
  if (room !== state.room) { renderRooms(); return; }
  renderUsers();
  renderTyping();
  showText(ui.composerError, view.removal);
}

/** A room the server would not let us into: out of the list if no retry helps; the reader, if there, goes back. */
function onRoomRefused(asked, code, said) {
  const room = roomFor(asked ?? '', state.me) ?? asked;
  const view = views.get(room);
  if (view === undefined) return;
  const words = FINAL_WORDS[code] ?? ERROR_WORDS[code] ?? `The server refused this room (${code}).`;
  const sentence = said ? `${words} The server said: ${said}.` : words;
  if (FOR_GOOD.has(code)) {
    views.delete(room);
    if (code === 'banned') state.client?.forget(room);  // listed in our name's rooms from before the ban
    state.forgotten.add(room);
  } else {
    view.status = 'off';
  }
  if (room !== state.room) {
    renderRooms();
    return;
  }
  const back = state.lastGoodRoom !== null && state.lastGoodRoom !== room ? state.lastGoodRoom
    : room !== DEFAULT_ROOM ? DEFAULT_ROOM : null;
  if (back === null) {
    addNotice(view, 'refused', sentence);
    renderRooms();
    return;
  }
  state.room = null;                           // nothing of the refused room is kept to show again
  showRoom(back);
  addNotice(shownView(), 'refused', `${sentence} Back in ${back}.`);
  scrollToBottom();
}

// ---- the connection ----

function clearTimers() {
  clearInterval(state.timers.rooms);
  clearInterval(state.timers.countdown);
}

/** The connection, made once per join; chat-client.js reconnects it and enters every room again. */
function connect() {
  const client = new ChatClient({
    user: state.me ?? '', token: state.token, key: state.token || state.me === null ? null : storedKey(state.me),
  });
  state.client = client;
  state.renewing = false;
  client.on('status', onStatus);
  client.on('auth', () => { state.renewing = false; });
  client.on('key', (key) => { storeKey(client.user, key); renderOtherDevice(); }); // ours: remember how to prove it
  client.on('ready', onReady);
  client.on('welcome', onWelcome);
  client.on('chat', onChat);
  for (const entry of ['edit', 'delete', 'reaction', 'moderation']) client.on(entry, onEntry);
  client.on('typing', onTyping);
  client.on('history', onHistory);
  client.on('join', onPresence);
  client.on('leave', onPresence);
  client.on('rooms', onRooms);
  client.on('notice', onNotice);
  client.on('read', onReadElsewhere);
  client.on('seen', onSeen);
  client.on('online', onOnline);
  client.on('error', onError);
  for (const view of views.values()) client.subscribe(view.room, view);  // the room shown first: asked first
  client.connect();
}

function onStatus(status) {
  clearTimers();
  if (status.state === 'connecting') {
    setStatus('connecting');
    renderBanner('Reconnecting now…');
  } else if (status.state === 'online') {
    state.lost = false;
    state.connection += 1;
    setStatus('online');
    renderBanner();
  } else if (status.state === 'reconnecting') {
    state.lost = true;
    for (const view of views.values()) if (view.status === 'in') view.status = 'asked';
    const tick = () => {
      const seconds = Math.max(0, Math.ceil((status.at - Date.now()) / 1000));
      setStatus('reconnecting', `reconnecting in ${seconds} s`);
      renderBanner(`Reconnecting in ${seconds} s.`);
    };
    tick();
    state.timers.countdown = setInterval(tick, 1000);
  } else if (status.state === 'stopped') {
    onStopped(status);
  }
}

/**
 * The banner that says the page is not connected, with Retry now: shown only once an attempt failed or the
 * connection dropped (never before the first attempt), gone once online or stopped (the list says why then).
 * "Not connected." is said to screen readers once as it appears, not at every tick of the countdown.
 */
function renderBanner(when = '') {
  const shown = state.joined && state.lost;
  ui.connection.hidden = !shown;
  const said = shown ? 'Not connected.' : '';
  if (ui.connectionSaid.textContent !== said) ui.connectionSaid.textContent = said;
  ui.connectionWhen.textContent = shown ? when : '';
}

/** The server closed the connection for a reason a retry cannot change. */
function onStopped({ code, reason, error }) {
  if (code === 1003) {
    stop('The page sent something the server does not accept (a binary frame). This is a bug in the page.');
    return;
  }
  // The reason is the error's code; an expired token closes with 4001 (or 'token expired') and no error frame.
  const expired = code === 4001 || reason === 'token expired';
  if (expired && state.tokenUrl !== null && renew()) return;  // a new token, and the rooms resumed with it
  const refusal = expired ? 'unauthorized' : reason || (error?.code ?? '');
  const said = error?.code === refusal ? String(error.msg ?? '') : '';
  if (refusal === 'unauthorized') storeToken(null);  // presenting it again cannot help
  if (refusal === 'name-taken') storeKey(state.me, null); // a key that did not prove the name is worth nothing
  if (Object.hasOwn(NAME_WORDS, refusal)) {   // hasOwn: a reason such as 'constructor' is no code of ours
    showJoinForm(said && refusal === 'invalid-user' ? said : NAME_WORDS[refusal]);
    return;
  }
  const words = Object.hasOwn(FINAL_WORDS, refusal) ? FINAL_WORDS[refusal]
    : `The server refused the connection${reason ? ` (${reason})` : ''}.`;
  stop(said ? `${words} The server said: ${said}.` : words);
}

/** Stops for good: no timer left, the reason in the list, and Sign out (then Join) to try once more. */
function stop(words) {
  state.joined = false;                        // nothing reconnects now: not the backoff, not 'online'
  clearTimers();
  renderBanner();
  clearTimeout(state.timers.refresh);
  setStatus('stopped', 'not connected');
  showText(ui.composerError, '');
  const view = shownView();
  if (view !== undefined) addNotice(view, 'refused', words);
  scrollToBottom();                            // the reason must be seen, wherever the reader was
}

/** Forgets every room shown, and the reads still to be sent about them. */
function clearViews() {
  for (const view of views.values()) clearTimeout(view.readTimer);
  views.clear();
  clearTimeout(state.timers.mine);
  state.timers.mine = 0;
}

function disconnect() {
  state.joined = false;
  state.lost = false;
  clearTimers();
  renderBanner();
  clearTimeout(state.timers.refresh);
  state.client?.close();
  state.client = null;
}

// ---- signing in (CHAT_TOKEN_URL) ----

/**
 * Whether the name comes from a sign-in (a token from CHAT_TOKEN_URL, or the container's user) rather than
 * from the join form (a #token= pasted in still goes through the form, as before).
 */
function namedElsewhere() {
  return state.tokenUrl !== null || state.auth === 'container';
}

/** How the server wants connections to say who they are; names when it does not say (an older server). */
async function loadConfig() {
  try {
    const response = await fetch(CONFIG_PATH, { cache: 'no-store' });
    const config = response.ok ? await response.json() : null;
    return config !== null && typeof config === 'object' ? config : {};
  } catch {
    return {};                                 // unreachable or not JSON: as an older server
  }
}

/** A link target we may put in the page: http(s), or a path of this site; null for anything else. */
function safeLink(url) {
  if (typeof url !== 'string' || url === '') return null;
  try {
    const resolved = new URL(url, location.href);
    return ['http:', 'https:'].includes(resolved.protocol) ? resolved.href : null;
  } catch {
    return null;
  }
}

/** A JWT's claims, read without checking anything (the server checks): only to know when it runs out. */
function claims(token) {
  try {
    const payload = token.split('.')[1].replaceAll('-', '+').replaceAll('_', '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0)));
    const value = JSON.parse(json);
    return value !== null && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}

/**
 * A token from CHAT_TOKEN_URL, asked with the browser's cookies: the token, SIGNED_OUT when it answered 401 or
 * 403 (nobody signed in there), or null when it failed otherwise.
 */
async function fetchToken() {
  try {
    const response = await fetch(state.tokenUrl, { credentials: 'include', cache: 'no-store', headers: { Accept: 'application/json' } });
    if (response.status === 401 || response.status === 403) return SIGNED_OUT;
    const body = response.ok ? await response.json() : null;
    return typeof body?.token === 'string' && JWT_SHAPE.test(body.token) ? body.token : null;
  } catch {
    return null;                               // down, refused by CORS, or not JSON
  }
}

/**
 * Gets a token and joins with it (a stopped page joins again), in `room`; the name is the token's, from the
 * welcome. Signed out: the link to sign in. Any other failure: asked again later, slower each time.
 */
async function signIn(room = state.room ?? DEFAULT_ROOM, attempt = 0) {
  clearTimeout(state.timers.refresh);
  setStatus('connecting', 'signing in');
  const token = await fetchToken();
  if (token === SIGNED_OUT) {
    if (state.joined) stop('You are signed out.');
    showSignIn();
    return;
  }
  if (token === null) {
    const delay = TOKEN_RETRY_MS[Math.min(attempt, TOKEN_RETRY_MS.length - 1)];
    setStatus('reconnecting', `cannot sign in; trying again in ${delay / 1000} s`);
    state.timers.refresh = setTimeout(() => signIn(room, attempt + 1), delay);
    return;
  }
  state.token = token;
  if (state.joined && state.client !== null) state.client.reconnect(token); else enterChat(null, room);
  scheduleRefresh(token);
}

/**
 * The token was refused or ran out: a new one, on a new connection that resumes every room. False, doing
 * nothing, when the last one came less than RENEW_AT_MOST_EVERY_MS ago: tokens that fail at once are no
 * reason to ask the token URL in a loop.
 */
function renew() {
  if (Date.now() - state.renewedAt < RENEW_AT_MOST_EVERY_MS) return false;
  state.renewedAt = Date.now();
  signIn();
  return true;
}

/** Fetches the next token a minute before this one's exp, or half way through a shorter life. */
function scheduleRefresh(token) {
  clearTimeout(state.timers.refresh);
  const { exp, iat } = claims(token);
  if (typeof exp !== 'number') return;         // the server refuses a token without exp
  // By our clock, or by the token's own life when it says when it was made: a clock that is behind the
  // server's would otherwise leave it too late.
  let left = exp * 1000 - Date.now();
  if (typeof iat === 'number') left = Math.min(left, (exp - iat) * 1000);
  const delay = left > 2 * REFRESH_BEFORE_MS ? left - REFRESH_BEFORE_MS : Math.max(0, left / 2);
  state.timers.refresh = setTimeout(refreshToken, delay);
}

/** Sends a new token on the open connection ('auth'); without one to send, the connection lasts until exp. */
async function refreshToken() {
  const token = await fetchToken();
  if (!state.joined) return;                   // left, or stopped, meanwhile
  if (token === SIGNED_OUT) { showSignIn(); return; }  // signed out elsewhere: say so now, not at exp
  if (token === null) {
    state.timers.refresh = setTimeout(refreshToken, TOKEN_RETRY_MS[1]);
    return;
  }
  state.token = token;
  state.renewing = state.client?.refresh(token) === true;  // not connected: the next connect presents it
  scheduleRefresh(token);
}

/** Nobody is signed in where tokens come from: a link to sign in there, and no more asking. */
function showSignIn() {
  clearTimeout(state.timers.refresh);
  ui.joinForm.hidden = true;
  ui.signIn.hidden = false;
  if (!state.joined) setStatus('stopped', 'signed out');
  ui.signInText.textContent = state.joined
    ? 'You are signed out: this chat ends when your sign-in runs out.'
    : 'Sign in to chat.';
  ui.signInLink.hidden = state.loginUrl === null;
  if (state.loginUrl !== null) ui.signInLink.href = state.loginUrl;
}

// ---- joining and leaving ----

/** Shows the chat in a room, with every room this browser opened under the name, on one new connection. */
function enterChat(name, room) {
  disconnect();
  clearViews();
  Object.assign(state, { me: name, room: null, joined: true, lastGoodRoom: null, directory: [], forgotten: new Set() });
  if (!namedElsewhere()) storeName(name);       // otherwise the sign-in names us: null until the welcome
  ui.joinForm.hidden = true;
  ui.signIn.hidden = true;
  ui.chatView.hidden = false;                  // before the restore: a hidden list cannot be scrolled
  ui.skip.hidden = false;
  ui.leave.hidden = namedElsewhere();          // Sign out goes back to the join form: nothing to choose otherwise
  showRoom(room);
  renderNotifyButton();
  renderOtherDevice();
  ui.input.focus();
  connect();
}

function showJoinForm(nameError = '') {
  disconnect();
  storeName(null);
  setStatus('offline');
  clearViews();                                // another name may join next: nothing of this one's is shown
  ui.messages.replaceChildren();
  Object.assign(state, { lastGoodRoom: null, directory: [], forgotten: new Set() });
  ui.chatView.hidden = true;
  ui.skip.hidden = true;
  ui.leave.hidden = true;
  renderNotifyButton();
  renderOtherDevice();
  ui.joinForm.hidden = false;
  ui.name.value = state.me ?? ui.name.value;
  ui.room.value = state.room === DEFAULT_ROOM || state.room === null ? '' : state.room;
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
  if (checked.error) ui.name.focus(); else if (room === null) ui.room.focus(); else enterChat(checked.name, room);
}

function onComposerSubmit(event) {
  event.preventDefault();
  const text = ui.input.value;
  const removal = shownView()?.status === 'removed' ? shownView().removal : null;
  if (!text.trim()) {
    showText(ui.composerError, 'Type a message first.');
  } else if (removal !== null) {
    showText(ui.composerError, removal);
  } else if (charsLeft(text) < 0) {
    const over = -charsLeft(text);
    showText(ui.composerError, `Your message is ${over} character${over === 1 ? '' : 's'} over the limit of ${state.maxChars}; shorten it to send it.`);
  } else if (!state.joined || shownView() === undefined) {
    showText(ui.composerError, 'Not connected; your message is still here.');
  } else {
    sendMessage(shownView(), text);
    ui.input.value = '';
    showText(ui.composerError, '');
    renderCounter();
  }
  ui.input.focus();
}

/** Characters a message may still take, counted as the server counts: code points, trimmed. */
function charsLeft(text) {
  return state.maxChars - [...text.trim()].length;
}

/** How many characters are left, once near the limit (and how many too many, over it); nothing before. */
function renderCounter() {
  const left = charsLeft(ui.input.value);
  const near = Math.min(COUNT_FROM_LEFT, Math.ceil(state.maxChars / 10));
  ui.counter.classList.toggle('over', left < 0);
  showText(ui.counter, left > near ? ''
    : left >= 0 ? `${left} character${left === 1 ? '' : 's'} left`
    : `${-left} character${left === -1 ? '' : 's'} over the limit`);
}

function onComposerKey(event) {
  // isComposing: Enter also confirms an IME candidate (Japanese, Chinese...), which must not send.
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    ui.composer.requestSubmit();
  }
}

function onHashChange() {
  // A name's link pasted into an open page: the page starts again under that name.
  if (takeNameFromHash()) { location.reload(); return; }
  // A pasted #token= is for the next connection; alone, it says nothing about the room.
  if (takeTokenFromHash() && !roomFromHash()) return;
  // A pasted or clicked #room=... link shows that room; a stopped chat joins again there.
  const asked = roomFromHash() || DEFAULT_ROOM;
  if (ui.chatView.hidden) { ui.room.value = asked === DEFAULT_ROOM ? '' : asked; return; }
  const room = roomFor(asked, state.me);
  if (room === null || room === state.room && state.joined) return;
  if (state.joined) showRoom(room); else if (state.tokenUrl !== null) signIn(room); else enterChat(state.me, room);
}

function start() {
  ui.joinForm.addEventListener('submit', onJoinSubmit);
  ui.composer.addEventListener('submit', onComposerSubmit);
  ui.input.addEventListener('keydown', onComposerKey);
  ui.input.addEventListener('input', onComposerInput);
  ui.leave.addEventListener('click', () => showJoinForm());
  ui.retryNow.addEventListener('click', () => state.client?.retryNow());
  ui.skip.addEventListener('click', () => ui.input.focus());
  ui.otherDevice.addEventListener('click', showDeviceLink);
  ui.deviceCopy.addEventListener('click', copyDeviceLink);
  ui.deviceClose.addEventListener('click', () => ui.deviceDialog.close());
  ui.deviceDialog.addEventListener('close', () => { ui.deviceLink.value = ''; ui.deviceName.textContent = ''; });
  ui.newMessages.addEventListener('click', () => { scrollToBottom(); ui.input.focus(); });
  ui.messages.addEventListener('scroll', onScroll);
  new ResizeObserver(onResize).observe(ui.messages);
  relabelAtMidnight();
  window.visualViewport?.addEventListener('resize', onResize);
  listenForLongPress(ui.messages);
  window.addEventListener('hashchange', onHashChange);
  // Back online: do not sit out the rest of a long backoff.
  window.addEventListener('online', () => state.client?.retryNow());
  ui.roomForm.addEventListener('submit', onRoomOpenSubmit);
  ui.roomOpen.addEventListener('input', () => showText(ui.roomOpenError, ''));
  ui.notify.addEventListener('click', onNotifyClick);
  document.addEventListener('visibilitychange', onVisibilityChange);
  window.addEventListener('focus', requestRooms);  // back from elsewhere: the list may be old
  ui.online.open = wide.matches;               // a phone starts with the lists folded
  ui.rooms.open = wide.matches;
  listenForDrawers();
  state.token = storedToken();                // a reload keeps the tab's token; the address no longer has it
  takeTokenFromHash();
  takeNameFromHash();
  loadConfig().then(begin);
}

/**
 * On a phone the room list and the online list are drawers over the conversation: one open at a time, and
 * Escape closes the open one (back to the conversation, the focus on the drawer's button). Both are open
 * side by side on a wide screen, and fold when the window becomes narrow.
 */
function listenForDrawers() {
  for (const [drawer, other] of [[ui.rooms, ui.online], [ui.online, ui.rooms]]) {
    drawer.addEventListener('toggle', () => { if (drawer.open && !wide.matches) other.open = false; });
    drawer.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || wide.matches || !drawer.open || event.defaultPrevented) return;
      drawer.open = false;
      drawer.querySelector('summary').focus();
    });
  }
  wide.addEventListener('change', () => { ui.rooms.open = ui.online.open = wide.matches; });
}

/** Joins as the server wants: with a token from CHAT_TOKEN_URL, as the container's user, or by a name. */
function begin(config) {
  if (state.joined) return;                    // joined through the form while the config was on its way
  state.auth = ['token', 'container'].includes(config.auth) ? config.auth : 'names';
  state.tokenUrl = state.auth === 'token' ? safeLink(config.tokenUrl) : null;
  state.loginUrl = safeLink(config.loginUrl);
  if (Number.isSafeInteger(config.maxMessageChars) && config.maxMessageChars > 0) state.maxChars = config.maxMessageChars;
  const room = roomFromHash();
  if (namedElsewhere()) {
    const target = roomFor(room || DEFAULT_ROOM, null) ?? DEFAULT_ROOM;
    ui.joinForm.hidden = true;
    if (state.auth === 'container') enterChat(null, target); else signIn(target);  // the session rides along
    return;
  }

  ui.room.value = room === DEFAULT_ROOM ? '' : room;
  const remembered = storedName();
  const checked = remembered === null ? { error: 'none' } : checkName(remembered);
  const target = roomFor(room || DEFAULT_ROOM, checked.name ?? null);
  if (!checked.error && target !== null) {
    enterChat(checked.name, target);
  } else {
    if (remembered !== null) ui.name.value = remembered;
    if (target === null) showText(ui.roomError, 'The link names a room that cannot exist.');
    ui.name.focus();
  }
}

start();
