/**
 * The `Date` header of the agent's replies (RFC 9110, 6.6.1), made at most once per second of the
 * clock. Node makes its own the same way, but clears its cached string with a timer at the next
 * second: for an agent scraped once a second that is a wake-up of the event loop a second that does
 * nothing else (about half a millisecond of CPU each on a small guest). Here the second is compared
 * when a reply is written, so no timer is armed.
 */
export function httpDateCache(now: () => number = Date.now): () => string {
  let second = Number.NaN;
  let text = '';
  return () => {
    const current = Math.floor(now() / 1000);
    if (current !== second) {
      second = current;
      text = new Date(current * 1000).toUTCString();
    }
    return text;
  };
}
