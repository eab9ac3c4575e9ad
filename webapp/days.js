// How the message list groups and separates messages by time: pure functions of instants (ms) in the reader's
// time zone and locale, apart from the page so that the browser tests can ask them about any day.

/** Messages by one name this close together read as one run: its avatar and name are shown once. */
export const RUN_MS = 5 * 60_000;

const dayDate = new Intl.DateTimeFormat(undefined, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });

/** Midnight (local time) of the day an instant falls on. */
function startOfDay(at) {
  const date = new Date(at);
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

/** Whether two instants fall on one day of the reader's calendar. */
export function sameDay(a, b) {
  return startOfDay(a) === startOfDay(b);
}

/** "Today", "Yesterday", or the date in the reader's locale: the separator above a day's first message. */
export function dayLabel(at, now = Date.now()) {
  // rounded: a day with a daylight-saving change is 23 or 25 hours long
  const days = Math.round((startOfDay(now) - startOfDay(at)) / 86_400_000);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  return dayDate.format(new Date(at));
}

/** Whether a message ({ user, at }) continues the run of the one just above it. */
export function continues(above, message) {
  const gap = message.at - above.at;
  return above.user === message.user && gap >= 0 && gap < RUN_MS && sameDay(above.at, message.at);
}
