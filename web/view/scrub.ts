import { formatClock } from '../../src/text/clock.js';
import { h, patch, setText } from '../dom.js';
import type { PageModel } from '../model.js';

/**
 * The bar under the page: pause / live, a slider over the frames held (moving it pauses on that
 * frame), marks where frames are missing, and the shown frame's time and place.
 */
export function renderScrub(
  m: PageModel,
  slider: HTMLInputElement,
  marks: HTMLElement,
  label: HTMLElement,
  pause: HTMLElement,
): void {
  const size = m.ring.size;
  const max = String(Math.max(0, size - 1));
  const value = String(m.ring.shownIndex());
  // A range input restyles whenever one of these is set, changed or not.
  if (slider.max !== max) slider.max = max;
  if (slider.value !== value) slider.value = value;
  if (slider.disabled !== (size === 0)) slider.disabled = size === 0;
  setText(pause, m.ring.paused ? 'resume' : 'pause');
  const span = Math.max(1, size - 1);
  patch(
    marks,
    m.ring.breaks().map((i) => {
      const mark = h('span', { class: 'gap-mark', title: 'frames missing here' });
      mark.style.left = `${(i / span) * 100}%`;
      return mark;
    }),
  );
  setText(label, m.frame ? `${formatClock(m.frame.ts)} · frame ${m.ring.shownIndex() + 1} of ${size} held` : '');
}
